def acting(request):
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    memberships = []
    if user is not None and user.is_authenticated:
        memberships = list(user.memberships.select_related("organisation").order_by("id"))
    from kvitt.web.nav import links_for

    return {"actor": actor, "memberships": memberships, "nav_links": links_for(actor)}
