"""What the scripts that fill a Django site for build.py (``mezzanine_site.py``,
``oscar/populate.py``, run in ``manage.py shell`` with this directory on ``sys.path``) share:
they read the site's description with :func:`site_spec` and end with :func:`render`.
"""

import json
import os
from pathlib import Path

from django.test import Client


def site_spec() -> dict:
    """The site build.py describes (LS_SPEC: a JSON file)."""
    return json.loads(Path(os.environ["LS_SPEC"]).read_text(encoding="utf-8"))


def render(pages: dict) -> None:
    """Fetch each object's page through Django's test client as host ``fakehost`` and write
    it to LS_OUT/SLUG/index.html."""
    client = Client(HTTP_HOST="fakehost")
    out = os.environ["LS_OUT"]
    for slug, page in pages.items():
        response = client.get(page.get_absolute_url())
        assert response.status_code == 200, (slug, response.status_code)
        Path(out, slug).mkdir(parents=True, exist_ok=True)
        Path(out, slug, "index.html").write_bytes(response.content)
    print("rendered", len(pages))
