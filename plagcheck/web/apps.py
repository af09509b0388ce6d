from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "plagcheck.web"
    label = "web"
    verbose_name = "plagcheck"
    default_auto_field = "django.db.models.BigAutoField"
