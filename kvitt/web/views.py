from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kvitt.core.middleware import SESSION_KEY
from kvitt.web import dashboards


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return HttpResponseRedirect(reverse("web:login"))


@login_required
def dashboard(request):
    actor = getattr(request, "actor", None)
    panels = dashboards.panels_for(actor) if actor else []
    return render(request, "web/dashboard.html", {"panels": panels})


@login_required
@require_POST
def switch_acting(request):
    membership_id = int(request.POST.get("membership", "0") or 0)
    if request.user.memberships.filter(id=membership_id).exists():
        request.session[SESSION_KEY] = membership_id
    return HttpResponseRedirect(reverse("web:dashboard"))
