# The shape of django-scim2's own test models (tests/models.py upstream): the library's abstract
# SCIM mixins on Django's AbstractUser and a bare group, so the default adapters apply unchanged.
from django.contrib.auth.models import AbstractUser
from django.db import models
from django_scim import models as scim_models


class ScimGroup(scim_models.AbstractSCIMGroupMixin):
    name = models.CharField("name", max_length=80, unique=True)


class ScimUser(scim_models.AbstractSCIMUserMixin, AbstractUser):
    scim_groups = models.ManyToManyField(ScimGroup, related_name="user_set")

