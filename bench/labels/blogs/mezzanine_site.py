"""Fill a fresh Mezzanine project and render its blog posts (run by build.py, through
``manage.py shell``, ``django_pages.py`` beside it on ``sys.path``).

Posts with a category, tags (keywords), comments (with their authors' links) and two related
posts each, by one author; two pages for the menus.  Each post's page is rendered
(``django_pages.render``).
"""

from django.contrib.auth.models import User
from django.contrib.sites.models import Site
from django_pages import render, site_spec
from mezzanine.blog.models import BlogCategory, BlogPost
from mezzanine.generic.models import AssignedKeyword, Keyword, ThreadedComment
from mezzanine.pages.models import RichTextPage

spec = site_spec()
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
render(posts)
