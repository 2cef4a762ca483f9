"""Differences between the supported Wagtail versions, in one place."""

try:  # Wagtail 8 made the page model swappable
    import swapper

    PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")
except ImportError:  # Wagtail 7.4
    PAGE_MODEL = "wagtailcore.Page"


def register_permission_policy(model, policy):
    """Register ``policy`` for ``model`` where Wagtail has a registry (8.0+); 7.4 reads the viewset's."""
    try:
        from wagtail.permissions import register_permission_policy as register
    except ImportError:
        return
    register(model, policy)


def synchronized_fields(*names, overridable=False):
    """wagtail-localize's ``override_translatable_fields`` entries that keep these fields out of
    translation (the same in every translation; ``overridable``: an editor may still set another
    value on a translation). Nothing without wagtail-localize."""
    try:
        from wagtail_localize.fields import SynchronizedField
    except ImportError:
        return []
    return [SynchronizedField(name, overridable=overridable) for name in names]
