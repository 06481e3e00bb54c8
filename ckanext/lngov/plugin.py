"""The portal's CKAN plugin: wires CKAN's interfaces to the modules named for concepts."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.plugins import DefaultTranslation

from ckanext.lngov import (accounts, checksum, cli, contracts, downloads, guard, helpers, lang,
                           links, search, security, usage, visibility)
from ckanext.lngov.applications import actions as application_actions
from ckanext.lngov.applications import auth as application_auth
from ckanext.lngov.applications import store as application_store
from ckanext.lngov.applications import views as application_views
from ckanext.lngov.catalog import codes, uniqueness, uploads, validators
from ckanext.lngov.data_requests import actions as data_request_actions
from ckanext.lngov.data_requests import auth as data_request_auth
from ckanext.lngov.data_requests import views as data_request_views
from ckanext.lngov.dcat import actions as dcat_actions
from ckanext.lngov.dcat import catalog as dcat_catalog
from ckanext.lngov.dcat import dump, views as dcat_views
from ckanext.lngov.harvest import record as harvest_record
from ckanext.lngov.identity import settings as identity_settings
from ckanext.lngov.identity import views as identity_views
from ckanext.lngov.logic import action, auth
from ckanext.lngov.pages import views as pages
from ckanext.lngov.serving import accel, cache, files, whole_pages
from ckanext.lngov.suggest import actions as suggest_actions
from ckanext.lngov.suggest import auth as suggest_auth
from ckanext.lngov.suggest import helpers as suggest_helpers
from ckanext.lngov.suggest import index as suggest_index
from ckanext.lngov.suggest import views as suggest_views
from ckanext.lngov.tables import actions as table_actions
from ckanext.lngov.tables import auth as table_auth
from ckanext.lngov.tables import load as tables
from ckanext.lngov.tables import xlsx as table_xlsx


@tk.blanket.config_declarations
class LngovPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IValidators)
    p.implements(p.ITemplateHelpers)
    p.implements(p.ITranslation)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IClick)
    p.implements(p.IBlueprint)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IOrganizationController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.ISignal)
    p.implements(p.IAuthenticator, inherit=True)

    # IConfigurer

    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "lngov")

    # IConfigurable: what the portal relies on elsewhere in the configuration

    def configure(self, config: Any) -> None:
        contracts.check(config)
        identity_settings.check(config)
        application_store.register_activity_type()
        cache.listen()

    # IPackageController

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search.solr_params(search_params)

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return links.for_viewer(context, visibility.for_viewer(context, pkg_dict))

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return suggest_index.add(
            search.index_fields(visibility.index_without_department_fields(pkg_dict)))

    def after_dataset_search(self, search_results: dict[str, Any],
                             search_params: dict[str, Any]) -> dict[str, Any]:
        return search.label_facets(search_results, search_params, lang.current())

    # Every write of an entry (hand, API, harvest) regenerates the catalog dump, schedules
    # the loads of its open tables and puts the caching front's answers out of date once
    # committed (serving/cache.py); one that stops being public takes its past activities out of
    # the public streams (and its tables out of the DataStore).
    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        cache.changed()
        tables.schedule(pkg_dict["id"])
        dump.schedule()

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        cache.changed()
        visibility.hide_past_activities(pkg_dict["id"])
        dcat_catalog.forget(pkg_dict["id"])
        tables.schedule(pkg_dict["id"])
        dump.schedule(urgent=not codes.is_public(pkg_dict))

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        cache.changed()
        visibility.hide_past_activities(pkg_dict["id"], deleting=True)
        dcat_catalog.forget(pkg_dict["id"])
        tables.schedule(pkg_dict["id"])
        dump.schedule(urgent=True)

    # IOrganizationController (and IPackageController's methods of the same names): a
    # department's names and code are in its entries' pages and RDF.

    def create(self, entity: Any) -> None:
        cache.changed()

    def edit(self, entity: Any) -> None:
        cache.changed()
        if not isinstance(entity, model.Package):  # an entry's: after_dataset_update
            dump.schedule()
            suggest_index.department_edited(entity)

    def delete(self, entity: Any) -> None:
        cache.changed()

    # IResourceController: size and SHA-256 of uploads.

    def before_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        checksum.record(resource)

    def before_resource_update(self, context: Any, current: dict[str, Any],
                               resource: dict[str, Any]) -> None:
        checksum.record(resource)

    def after_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        cache.changed()

    def after_resource_update(self, context: Any, resource: dict[str, Any]) -> None:
        cache.changed()

    def after_resource_delete(self, context: Any, resources: list[dict[str, Any]]) -> None:
        cache.changed()

    # IMiddleware: bad input and hidden datasets answered before any view runs; security
    # headers, cookies and login throttling; no cookie on what the caching front keeps; files
    # sent by the front once authorised; anonymous resource, department and search pages kept whole.

    def make_middleware(self, app: Any, config: Any) -> Any:
        return whole_pages.install(
            accel.install(cache.install(security.install(guard.install(app)))))

    # ISignal: a table load says what happened (tables/load.py); the harvest's record of the
    # job and the DCAT catalog follow.

    def get_signal_subscriptions(self) -> dict[Any, list[Any]]:
        return {tables.held_back: [harvest_record.held_back], tables.changed: [dump.republish]}

    # IAuthenticator: who signed in through the unified identity signs out of its provider
    # too (RP-initiated logout); everyone else through CKAN's own logout.

    def logout(self):
        return identity_views.logout()

    # IBlueprint

    def get_blueprint(self):
        return [*dcat_views.get_blueprints(), downloads.blueprint, lang.js_translations,
                usage.blueprint, pages.blueprint, application_views.blueprint,
                accounts.blueprint, data_request_views.blueprint, cache.blueprint,
                accel.blueprint, table_xlsx.blueprint, suggest_views.blueprint,
                identity_views.blueprint, whole_pages.blueprint,
                # after accel: its hook runs before accel's, which takes X-Sendfile away
                files.blueprint, security.blueprint]

    # IClick

    def get_commands(self):
        return cli.get_commands()

    # IFacets

    def dataset_facets(self, facets_dict: dict[str, Any], package_type: str):
        # The catalog's facets, in the order of the catalog; CKAN's tags and licences go.
        return dict(search.facet_titles())

    def organization_facets(self, facets_dict: dict[str, Any], organization_type: str,
                            package_type: str | None):
        titles = search.facet_titles()
        titles.pop("organization")
        return titles

    # IValidators

    def get_validators(self) -> dict[str, Any]:
        return {**validators.get_validators(),
                "lngov_resource_code_unique": uniqueness.lngov_resource_code_unique,
                "lngov_credit_code_unique": uniqueness.lngov_credit_code_unique,
                "lngov_link_scheme": links.lngov_link_scheme,
                "lngov_upload_format": uploads.lngov_upload_format,
                "package_id_exists": visibility.package_id_exists,
                "package_id_or_name_exists": visibility.package_id_or_name_exists,
                "convert_package_name_or_id_to_id":
                    visibility.convert_package_name_or_id_to_id}

    # IActions: CKAN's and the extensions' chained (logic/action.py, with DCAT's and the
    # DataStore's writes that renew the cache generation), and each feature's own.

    def get_actions(self) -> dict[str, Any]:
        return {**action.get_actions({**dcat_actions.get_actions(), **cache.get_actions(),
                                      **links.get_actions()}),
                **application_actions.get_actions(), **data_request_actions.get_actions(),
                **table_actions.get_actions(), **suggest_actions.get_actions()}

    # IAuthFunctions: CKAN's and the extensions' chained (logic/auth.py), and each feature's
    # own, one for each of its actions.

    def get_auth_functions(self) -> dict[str, Any]:
        return auth.get_auth_functions(self, {
            **application_auth.get_auth_functions(), **data_request_auth.get_auth_functions(),
            **table_auth.get_auth_functions(), **suggest_auth.get_auth_functions()})

    # ITemplateHelpers

    def get_helpers(self) -> dict[str, Any]:
        return {**helpers.get_helpers(), **suggest_helpers.get_helpers(),
                "lngov_identity_enabled": identity_views.enabled}
