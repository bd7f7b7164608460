"""Fill a fresh Mezzanine project and render its blog posts (run by build.py, through
``manage.py shell``): LS_SPEC=SPEC LS_OUT=OUT python manage.py shell -c "exec(open(THIS).read())".

Posts with a category, tags (keywords), comments (with their authors' links) and two related
posts each, by one author; two pages for the menus.  Each post's page is fetched through
Django's test client as host ``fakehost`` and written to OUT/SLUG/index.html.
"""

import json
import os
from pathlib import Path

from django.contrib.auth.models import User
from django.contrib.sites.models import Site
from django.test import Client
from mezzanine.blog.models import BlogCategory, BlogPost
from mezzanine.generic.models import AssignedKeyword, Keyword, ThreadedComment
from mezzanine.pages.models import RichTextPage

spec = json.loads(Path(os.environ["LS_SPEC"]).read_text(encoding="utf-8"))
Site.objects.update(domain="fakehost", name=spec["site"])
user = User.objects.create_user(
    "morgan", "morgan@fakehost.invalid", "x", first_name="Morgan", last_name="Reyes"
)
RichTextPage.objects.create(title="About", content="<p>Who we are.</p>")
RichTextPage.objects.create(title="Contact", content="<p>Write to the editors.</p>")
posts = {}
for p in spec["posts"]:
    post = BlogPost.objects.create(
        title=p["title"],
        slug=p["slug"],
        content=p["body"],
        user=user,
        publish_date=p["date"] + "+00:00",
    )
    cat, _ = BlogCategory.objects.get_or_create(title=p["category"])
    post.categories.add(cat)
    for t in p["tags"]:
        k, _ = Keyword.objects.get_or_create(title=t)
        AssignedKeyword.objects.create(keyword=k, content_object=post)
    for c in p.get("comments", []):
        ThreadedComment.objects.create(
            content_object=post,
            site_id=1,
            user_name=c["author"],
            user_url=c["url"],
            user_email="c@fakehost.invalid",
            comment=c["text"],
            is_public=True,
        )
    posts[p["slug"]] = post
slugs = list(posts)
for i, s in enumerate(slugs):  # two related posts each, as an editor picks them
    posts[s].related_posts.add(
        posts[slugs[(i + 1) % len(slugs)]], posts[slugs[(i + 2) % len(slugs)]]
    )
client = Client(HTTP_HOST="fakehost")
out = os.environ["LS_OUT"]
for s, post in posts.items():
    r = client.get(post.get_absolute_url())
    assert r.status_code == 200, (s, r.status_code)
    Path(out, s).mkdir(parents=True, exist_ok=True)
    Path(out, s, "index.html").write_bytes(r.content)
print("rendered", len(posts))
