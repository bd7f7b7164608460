"""Fill a migrated django-oscar shop and render its product pages (run by ../build.py through
``manage.py shell``, ``django_pages.py`` beside it on ``sys.path``).

One product class and partner; each product (a post of the spec: its title, its text as the
product's description) in a category, with a price and stock, the spec's reviews (approved)
and two recommended products.  Each product's page is rendered
(``django_pages.render``).
"""

import shutil
from decimal import Decimal
from pathlib import Path

import oscar
from django.contrib.sites.models import Site
from django_pages import render, site_spec
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
spec = site_spec()
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
render(products)
