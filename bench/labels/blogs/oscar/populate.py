"""Fill a migrated django-oscar shop and render its product pages (run by ../build.py through
``manage.py shell``): LS_SPEC=SPEC LS_OUT=OUT python manage.py shell -c "exec(open(THIS).read())".

One product class and partner; each product (a post of the spec: its title, its text as the
product's description) in a category, with a price and stock, the spec's reviews (approved)
and two recommended products.  Each product's page is fetched through Django's test client
as host ``fakehost`` and written to OUT/SLUG/index.html.
"""

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import oscar
from django.contrib.sites.models import Site
from django.test import Client
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
ProductReview = get_model("reviews", "ProductReview")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

# Oscar shows this image for a product without one, and makes its thumbnails from MEDIA_ROOT
Path("media").mkdir(exist_ok=True)
shutil.copy(Path(oscar.__file__).parent / "static/oscar/img/image_not_found.jpg", "media")
spec = json.loads(Path(os.environ["LS_SPEC"]).read_text(encoding="utf-8"))
Site.objects.update(domain="fakehost", name=spec["site"])
kind = ProductClass.objects.create(name="Book", requires_shipping=True, track_stock=True)
partner = Partner.objects.create(name="Field Notebook Books")
products = {}
for i, p in enumerate(spec["posts"]):
    product = Product.objects.create(
        title=p["title"],
        slug=p["slug"],
        description=p["body"],
        product_class=kind,
        structure="standalone",
        upc=f"FN-{i:04d}",
        is_public=True,
    )
    category = create_from_breadcrumbs(f"Books > {p['category']}")
    ProductCategory.objects.create(product=product, category=category)
    StockRecord.objects.create(
        product=product,
        partner=partner,
        partner_sku=f"FN{i:04d}",
        price=Decimal("12.99") + i,
        num_in_stock=5,
    )
    for j, review in enumerate(p.get("comments", [])):
        ProductReview.objects.create(
            product=product,
            title=review["title"],
            score=review["score"],
            body=review["text"],
            name=review["author"],
            email=f"r{j}@fakehost.invalid",
            status=ProductReview.APPROVED,
        )
    products[p["slug"]] = product
slugs = list(products)
for i, s in enumerate(slugs):  # two recommended products each, as a shop picks them
    for rank, k in enumerate((1, 2)):
        ProductRecommendation.objects.create(
            primary=products[s], recommendation=products[slugs[(i + k) % len(slugs)]], ranking=rank
        )
client = Client(HTTP_HOST="fakehost")
out = os.environ["LS_OUT"]
for s, product in products.items():
    r = client.get(product.get_absolute_url())
    assert r.status_code == 200, (s, r.status_code)
    Path(out, s).mkdir(parents=True, exist_ok=True)
    Path(out, s, "index.html").write_bytes(r.content)
print("rendered", len(products))
