"""Django's admin for the administrator: accounts (with their role and departments), departments
and thresholds, and the audit log (read-only)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from plagcheck.web.models import AuditEntry, Department, Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ("departments",)


class CabinetUserAdmin(UserAdmin):
    inlines = [ProfileInline]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), CabinetUserAdmin)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "threshold_percent")
    search_fields = ("name",)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "job_id", "detail", "ip")
    list_filter = ("action",)
    search_fields = ("username", "detail")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = "plagcheck"
