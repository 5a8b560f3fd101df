"""Organisations, agreements and sectors: the registry's public directory, open to any token."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from projects import selectors
from projects.api import presenters
from projects.api.permissions import IsCaller
from projects.api.problems import Problem
from projects.api.schema import READ_ERRORS, problems
from projects.api.serializers import AgreementOut, OrganisationOut, SectorOut
from projects.api.views.base import ApiView
from projects.domain.values import Sector

TAG = "Directory"


class OrganisationList(ApiView):
    etag_from_head = True
    permission_classes = [IsCaller]

    @extend_schema(
        operation_id="organisations_list",
        tags=[TAG],
        summary="List organisations",
        responses={200: OrganisationOut(many=True), **problems(*READ_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Return every organisation, with names in English and both Chinese scripts."""
        rows = selectors.organisation_list().order_by("id")
        return Response([presenters.organisation(o) for o in rows])


class OrganisationDetail(ApiView):
    permission_classes = [IsCaller]

    @extend_schema(
        operation_id="organisation_read",
        tags=[TAG],
        summary="Read an organisation",
        parameters=[
            OpenApiParameter(
                "id",
                {
                    "type": "string",
                    "pattern": r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                    "minLength": 2,
                    "maxLength": 40,
                },
                OpenApiParameter.PATH,
            )
        ],
        responses={200: OrganisationOut, **problems(*READ_ERRORS, 404)},
    )
    def get(self, request: Request, id: str) -> Response:
        """Return one organisation by its id, e.g. ``hk-itib``."""
        row = selectors.organisation_list().filter(id=id).first()
        if row is None:
            raise Problem(
                404,
                "organisation-not-found",
                gettext("Organisation {id} was not found.").format(id=id),
            )
        return Response(presenters.organisation(row))


class AgreementList(ApiView):
    etag_from_head = True
    permission_classes = [IsCaller]

    @extend_schema(
        operation_id="agreements_list",
        tags=[TAG],
        summary="List agreements",
        responses={200: AgreementOut(many=True), **problems(*READ_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Return every framework agreement."""
        return Response([presenters.agreement(a) for a in selectors.agreement_list()])


class AgreementDetail(ApiView):
    permission_classes = [IsCaller]

    @extend_schema(
        operation_id="agreement_read",
        tags=[TAG],
        summary="Read an agreement",
        responses={200: AgreementOut, **problems(*READ_ERRORS, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        """Return one agreement by its code."""
        row = selectors.agreement_list().filter(code=code).first()
        if row is None:
            raise Problem(
                404,
                "agreement-not-found",
                gettext("Agreement {code} was not found.").format(code=code),
            )
        return Response(presenters.agreement(row))


class SectorList(ApiView):
    etag_from_head = True
    permission_classes = [IsCaller]

    @extend_schema(
        operation_id="sectors_list",
        tags=[TAG],
        summary="List sectors",
        responses={200: SectorOut(many=True), **problems(*READ_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        """Return the registry's sectors with their OECD DAC codes and names."""
        return Response([presenters.sector(s) for s in Sector])
