"""Fill a fresh Mezzanine + Cartridge shop and render its product pages (run by build.py,
through ``manage.py shell``, ``django_pages.py`` beside it on ``sys.path``).

Each product (a post of the spec: its title, its text as the product's description) in a
shop category, with a price and stock and two related products; the shop's pages for the
menus.  Each product's page is rendered (``django_pages.render``).
"""

from decimal import Decimal

from cartridge.shop.models import Category, Product, ProductVariation
from django.contrib.sites.models import Site
from django_pages import render, site_spec
from mezzanine.pages.models import RichTextPage

spec = site_spec()
Site.objects.update(domain="fakehost", name=spec["site"])
RichTextPage.objects.create(title="About", content="<p>Who we are.</p>")
categories = {}
products = {}
for i, p in enumerate(spec["posts"]):
    if p["category"] not in categories:
        categories[p["category"]] = Category.objects.create(title=p["category"])
    product = Product.objects.create(
        title=p["title"], slug=p["slug"], content=p["body"], available=True
    )
    product.categories.add(categories[p["category"]])
    ProductVariation.objects.create(
        product=product, default=True, unit_price=Decimal("12.99") + i, sku=f"FN{i:04d}",
        num_in_stock=5,
    )  # fmt: skip
    product.copy_default_variation()
    products[p["slug"]] = product
slugs = list(products)
for i, s in enumerate(slugs):  # two related products each, as a shop picks them
    products[s].related_products.add(
        products[slugs[(i + 1) % len(slugs)]], products[slugs[(i + 2) % len(slugs)]]
    )
render(products)
