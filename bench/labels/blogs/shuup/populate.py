"""Fill a migrated Shuup shop and render its product pages (run by ../build.py through
``python -m shuup_workbench shell``, ``django_pages.py`` on ``sys.path``).

The shop Shuup's ``shuup_init`` makes, under its classic gray theme; each product (a post of
the spec: its title, its text as the product's description) in its category, with a price
and a supplier.  Each product's page is rendered (``django_pages.render``).  (Related
products show only where a shop places that plugin in the theme's layout: not by default.)
"""

from decimal import Decimal

from django.urls import reverse
from django_pages import render, site_spec
from shuup.core.models import (
    Category,
    CategoryStatus,
    CategoryVisibility,
    Shop,
)
from shuup.testing import factories
from shuup.xtheme import set_current_theme


class Page:
    """A product's page, for ``render``."""

    def __init__(self, product):
        self.product = product

    def get_absolute_url(self):
        return reverse("shuup:product", kwargs={"pk": self.product.pk, "slug": self.product.slug})


spec = site_spec()
shop = Shop.objects.get()
shop.name = shop.public_name = spec["site"]
shop.domain = "fakehost"
shop.save()
set_current_theme("shuup.themes.classic_gray", shop)
supplier = factories.get_default_supplier(shop)
categories = {}
products = {}
for i, p in enumerate(spec["posts"]):
    name = p["category"]
    if name not in categories:
        category = Category.objects.create(
            identifier=name.lower(),
            name=name,
            status=CategoryStatus.VISIBLE,
            visibility=CategoryVisibility.VISIBLE_TO_ALL,
        )
        category.shops.add(shop)
        categories[name] = category
    product = factories.create_product(
        f"fn-{i:04d}",
        shop=shop,
        supplier=supplier,
        default_price=Decimal("12.99") + i,
        name=p["title"],
        slug=p["slug"],
        description=p["body"],
    )
    shop_product = product.get_shop_instance(shop)
    shop_product.primary_category = categories[name]
    shop_product.save()
    shop_product.categories.add(categories[name])
    products[p["slug"]] = product
render({slug: Page(product) for slug, product in products.items()})
