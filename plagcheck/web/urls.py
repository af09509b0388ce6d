"""The cabinet's URLs. Every thesis is named by its link's random token, never by its job id."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language

from plagcheck.web import views
from plagcheck.web.auth import ThrottledAuthenticationForm

cabinet = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                authentication_form=ThrottledAuthenticationForm,
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works on the login page too (a POST with its CSRF token).
    path("language/", login_not_required(set_language), name="set_language"),
    path("jobs/", views.jobs_page, name="jobs"),
    path("jobs/status.json", views.jobs_status, name="jobs_status"),
    path("upload/", views.upload_page, name="upload"),
    path("upload/<str:token>/", views.upload_preview, name="preview"),
    path("upload/<str:token>/confirm", views.upload_confirm, name="confirm"),
    path("upload/<str:token>/cancel", views.upload_cancel, name="cancel"),
    path("j/<str:token>/", views.job_page, name="job"),
    path("j/<str:token>/report.html", views.report_html, name="report_html"),
    path("j/<str:token>/report.json", views.report_json, name="report_json"),
    path("j/<str:token>/file", views.original_file, name="file"),
    path("j/<str:token>/decision", views.save_decision, name="decision"),
    path("j/<str:token>/certificate.pdf", views.certificate, name="certificate"),
    path("summary/", views.summary_page, name="summary"),
    re_path(r"^summary/export\.(?P<fmt>csv|xlsx)$", views.summary_export, name="summary_export"),
    path("audit/", views.audit_page, name="audit"),
]

urlpatterns = [
    path("", include((cabinet, "web"))),
    path("admin/", admin.site.urls),
]
