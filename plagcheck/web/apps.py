from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "plagcheck.web"
    label = "web"
    verbose_name = "plagcheck"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from plagcheck.web import audit

        # Logins go to the audit log with the rest (failures are counted by the throttle).
        user_logged_in.connect(lambda sender, request, user, **kw: audit.record(request, audit.LOGGED_IN, user=user),
                               dispatch_uid="plagcheck-web-login-audit", weak=False)
