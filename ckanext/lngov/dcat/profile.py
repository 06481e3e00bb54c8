"""The portal's RDF profiles: the catalog entry as DCAT-AP 3, and back; and as schema.org.

`lngov_dcat_ap_3` is ckanext-dcat's `euro_dcat_ap_3` (scheming-aware) profile fed with the
entry's public fields translated into the keys that profile knows (CATALOG-FIELDS.md,
column DCAT-AP 3), plus what it cannot express: the contact point's office and telephone,
the data items as a CSVW table schema, the portal's concepts (typed and labelled), the
licence as a licence document, the catalog's languages and taxonomies. Its parse_dataset
reads all of it back into the catalog's fields.

Only public entries are ever given to it by the portal's endpoints (public.py); it strips
department-only fields again itself, since ckanext-dcat's own helpers may call it too.
"""
from __future__ import annotations

from typing import Any

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS as DCT, FOAF, RDF, RDFS, SKOS, XSD

from ckan.model.license import LicenseRegister
import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import DCAT, VCARD
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.profiles.schemaorg import SchemaOrgProfile
from ckanext.dcat.utils import dataset_uri

from ckanext.lngov.catalog import codes, uniqueness
from ckanext.lngov.checksum import SHA256
from ckanext.lngov.dcat import public, vocab
from ckanext.lngov.tables import status

CSVW = Namespace("http://www.w3.org/ns/csvw#")
# What a table's data service follows: CKAN's DataStore API, as CKAN documents it.
DATASTORE_API_SPEC = "https://docs.ckan.org/en/2.11/maintaining/datastore.html#the-datastore-api"



def catalog_text(key: str) -> dict[str, str]:
    """The catalog record's own texts (title, description, publisher) in both languages:
    ckanext.lngov.catalog.<key>.zh / .en (ckan.site_title holds only one)."""
    return {lang: tk.config.get(f"ckanext.lngov.catalog.{key}.{lang}") for lang in ("zh", "en")}

# 信息项 data types (national template) -> XSD datatypes of CSVW.
CSVW_DATATYPES = {"C": "string", "N": "decimal", "Y": "decimal", "D": "date",
                  "T": "dateTime", "L": "boolean", "M": "string", "G": "base64Binary",
                  "B": "double", "I": "integer", "F": "float"}


def _lang_literals(entry: dict[str, Any], key: str) -> dict[str, str]:
    """{"zh": field, "en": field_en} without empty values."""
    values = {"zh": entry.get(key), "en": entry.get(f"{key}_en")}
    return {lang: v for lang, v in values.items() if v}


def keywords(entry: dict[str, Any]) -> dict[str, list[str]]:
    """dcat:keyword: the labels of the entry's databases and domain, in both languages."""
    found: dict[str, list[str]] = {"zh": [], "en": []}
    for list_name, values in (("base_theme_db", entry.get("base_theme_db") or []),
                              ("domain", [entry.get("domain")] if entry.get("domain") else [])):
        for value in values:
            for label in vocab.labels(list_name, value):
                found[label.language].append(str(label))
    return {lang: words for lang, words in found.items() if words}


def dataset_page(entry: dict[str, Any]) -> str:
    return f"{vocab.base()}/dataset/{entry.get('name') or entry['id']}"


def table_schema_uri(entry: dict[str, Any]) -> str:
    return f"{vocab.base()}/dataset/{entry['id']}/tableschema.json"


def format_code(resource: dict[str, Any]) -> str | None:
    """The catalog's format type of a resource (from its CKAN format), if it is one."""
    value = (resource.get("format") or "").strip().lower()
    return value if codes.entry("format_types", value) else None


def licence(entry: dict[str, Any]) -> tuple[str | None, str | None]:
    """(URL, title) of the entry's licence in CKAN's licence register."""
    if not entry.get("license_id"):
        return None, None
    found = LicenseRegister().get(entry["license_id"])
    if not found:
        return None, entry.get("license_title")
    return (found.url or None), found.title


class LngovDCATAP3Profile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 for the provincial catalog entry (euro_dcat_ap_3 + the catalog's fields)."""

    # --- CKAN -> RDF --------------------------------------------------------------------

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        entry = dataset_dict if public.CONTEXT_KEY in dataset_dict else \
            public.with_context(dataset_dict)
        entry = public.public_fields(entry)
        super().graph_from_dataset(self._stock_dict(entry, dataset_ref), dataset_ref)
        self._graph_from_catalog_fields(entry, dataset_ref)
        self._describe_data_services(dataset_ref)

    def _describe_data_services(self, dataset_ref) -> None:
        """A table's DataStore API (dcat:DataService) is the entry's department's, answers
        at the entry's contact point, about the entry's themes and keywords, and follows
        CKAN's DataStore API (DCAT-AP's recommended properties of a data service)."""
        g = self.g
        services = {service for distribution in g.objects(dataset_ref, DCAT.distribution)
                    for service in g.objects(distribution, DCAT.accessService)}
        for service in services:
            for prop in (DCT.publisher, DCAT.contactPoint, DCAT.theme, DCAT.keyword):
                for value in g.objects(dataset_ref, prop):
                    g.add((service, prop, value))
            g.add((service, DCT.conformsTo, URIRef(DATASTORE_API_SPEC)))
        if services:
            spec = URIRef(DATASTORE_API_SPEC)
            g.add((spec, RDF.type, DCT.Standard))
            g.add((spec, DCT.title, Literal("CKAN DataStore API", lang="en")))

    def _stock_dict(self, entry: dict[str, Any], dataset_ref) -> dict[str, Any]:
        """The entry in the keys euro_dcat_ap_3 maps (and nothing else of it)."""
        found = entry[public.CONTEXT_KEY]
        dept = found["department"]
        langs = set(_lang_literals(entry, "title")) | set(_lang_literals(entry, "notes"))
        themes = [vocab.concept_uri("classification", entry["classification"])] \
            if entry.get("classification") else []
        themes += [vocab.concept_uri("base_theme_db", db)
                   for db in entry.get("base_theme_db") or []]
        if entry.get("domain"):
            themes.append(vocab.concept_uri("domain", entry["domain"]))
            eu_theme = vocab.eu_code("domain", entry["domain"])
            if eu_theme:
                themes.append(vocab.eu_uri("data-theme", eu_theme))
        frequency = vocab.eu_code("update_cycle", entry.get("update_cycle") or "")
        access = vocab.eu_code("open_attribute", entry.get("open_attribute") or "")
        stock = {
            "id": entry["id"], "name": entry.get("name"), "type": "dataset",
            "title_translated": _lang_literals(entry, "title"),
            "notes_translated": _lang_literals(entry, "notes"),
            "identifier": entry.get("resource_code"),
            "url": dataset_page(entry),
            "issued": entry.get("release_date"),
            "modified": entry.get("metadata_modified"),
            "language": [vocab.eu_uri("language", vocab.LANGUAGES[lang])
                         for lang in ("zh", "en") if lang in langs],
            "theme": themes,
            "tags_translated": keywords(entry),
            "frequency": vocab.eu_uri("frequency", frequency) if frequency else None,
            "access_rights": vocab.eu_uri("access-right", access) if access else None,
            "conforms_to": [table_schema_uri(entry)] if entry.get("data_items") else [],
            "related_resource": [dataset_uri({"id": i}) for i in found["related_ids"]],
            # a file held back by the personal-information gate is no distribution
            "resources": [self._stock_resource(entry, r, dataset_ref)
                          for r in entry.get("resources") or []
                          if not status.quarantined(r["id"])],
            "extras": [],
        }
        if dept:
            names = {"zh": dept.get("title"), "en": dept.get("title_en")}
            stock["publisher"] = [{
                "uri": f"{vocab.base()}/organization/{dept['name']}",
                "name_translated": {lang: v for lang, v in names.items() if v},
                "identifier": dept.get("credit_code"),
            }]
        return stock

    def _stock_resource(self, entry, resource, dataset_ref) -> dict[str, Any]:
        code = format_code(resource)
        found = codes.entry("format_types", code) if code else {}
        media_type = found.get("media_type") or resource.get("mimetype")
        out = {
            "id": resource["id"], "package_id": entry["id"],
            "name_translated": {"zh": resource["name"]} if resource.get("name") else {},
            "description_translated": {"zh": resource["description"]}
            if resource.get("description") else {},
            "format": vocab.eu_uri("file-type", found["eu"]) if found.get("eu") else None,
            "mimetype": vocab.media_type_uri(media_type) if media_type else None,
            "size": resource.get("size"),
            "created": resource.get("created"),
            "metadata_modified": resource.get("last_modified") or resource.get("metadata_modified"),
        }
        if codes.downloadable(entry):
            # The portal's own copy of the file, and its checksum.
            out["access_url"] = out["download_url"] = resource.get("url")
            if resource.get("hash"):
                out["hash"] = resource["hash"]
                out["hash_algorithm"] = resource.get("hash_algorithm") or SHA256
            if resource.get("datastore_active"):
                out["access_services"] = [self._datastore_service(entry, resource, dataset_ref)]
        else:
            # Conditionally open: no public download; apply on the dataset page.
            out["access_url"] = dataset_page(entry)
            out["rights"] = {"zh": entry.get("open_conditions")
                             or "有条件开放，请在数据集页面申请。"}
        return {k: v for k, v in out.items() if v not in (None, "", {}, [])}

    def _datastore_service(self, entry, resource, dataset_ref) -> dict[str, Any]:
        api = f"{vocab.base()}/api/3/action"
        return {
            "uri": f"{api}/datastore_search?resource_id={resource['id']}",
            "title": {"zh": f"{resource.get('name') or entry.get('title')} 数据接口",
                      "en": f"DataStore API: {entry.get('title_en') or resource.get('name')}"},
            "endpoint_url": [f"{api}/datastore_search"],
            "endpoint_description": f"{api}/help_show?name=datastore_search",
            "serves_dataset": [str(dataset_ref)],
        }

    def _graph_from_catalog_fields(self, entry: dict[str, Any], dataset_ref) -> None:
        g = self.g
        g.bind("csvw", CSVW)
        # Concepts: typed and labelled, so that a theme is understood without a lookup.
        for list_name, values in (("classification", [entry.get("classification")]),
                                  ("base_theme_db", entry.get("base_theme_db") or []),
                                  ("domain", [entry.get("domain")])):
            for value in values:
                if value and codes.entry(list_name, value):
                    for triple in vocab.concept_triples(list_name, value):
                        g.add(triple)
        for theme in g.objects(dataset_ref, DCAT.theme):
            if str(theme).startswith(vocab.EU):
                for triple in vocab.eu_theme_triples(str(theme)):
                    g.add(triple)
        for access in g.objects(dataset_ref, DCT.accessRights):
            g.add((access, RDF.type, DCT.RightsStatement))
        # Format category and types: Dublin Core type and formats of the resource.
        if entry.get("format_category"):
            concept = URIRef(vocab.concept_uri("format_category", entry["format_category"]))
            g.add((dataset_ref, DCT.type, concept))
            for triple in vocab.concept_triples("format_category", entry["format_category"]):
                g.add(triple)
        for value in entry.get("format_types") or []:
            eu = vocab.eu_code("format_types", value)
            ref = URIRef(vocab.eu_uri("file-type", eu) if eu
                         else vocab.concept_uri("format_types", value))
            g.add((dataset_ref, DCT["format"], ref))
            g.add((ref, RDF.type, DCT.MediaTypeOrExtent))
            if not eu:
                for triple in vocab.concept_triples("format_types", value):
                    g.add(triple)
        # Contact point: the providing office, e-mail and telephone.
        if entry.get("contact_email") or entry.get("provider_office"):
            contact = BNode()
            g.add((dataset_ref, DCAT.contactPoint, contact))
            g.add((contact, RDF.type, VCARD.Kind))
            g.add((contact, RDF.type, VCARD.Organization))
            dept = entry[public.CONTEXT_KEY]["department"]
            if dept.get("title"):
                g.add((contact, VCARD.fn, Literal(dept["title"], lang="zh")))
            if entry.get("provider_office"):
                g.add((contact, VCARD["organization-unit"],
                       Literal(entry["provider_office"], lang="zh")))
            if entry.get("contact_email"):
                g.add((contact, VCARD.hasEmail, URIRef("mailto:" + entry["contact_email"])))
            if entry.get("contact_phone"):
                g.add((contact, VCARD.hasTelephone,
                       URIRef("tel:" + entry["contact_phone"].replace(" ", ""))))
        self._add_licence(entry, dataset_ref)
        for triple in table_schema_triples(entry) if entry.get("data_items") else ():
            g.add(triple)

    def _add_licence(self, entry, dataset_ref) -> None:
        url, title = licence(entry)
        if not (url or title):
            return
        ref = URIRef(url) if url else BNode()
        self.g.add((ref, RDF.type, DCT.LicenseDocument))
        # The portal's licence id, read back when the licence has no URL (other-at...).
        self.g.add((ref, DCT.identifier, Literal(entry["license_id"])))
        if title:
            self.g.add((ref, DCT.title, Literal(title)))
        for distribution in self.g.objects(dataset_ref, DCAT.distribution):
            self.g.add((distribution, DCT.license, ref))

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        catalog_dict = catalog_dict or {}
        self._modified = catalog_dict.get("modified")
        super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        for predicate in (DCT.title, DCT.description, DCT.language):
            g.remove((catalog_ref, predicate, None))
        for key, predicate in (("title", DCT.title), ("description", DCT.description)):
            for lang, text in catalog_text(key).items():
                g.add((catalog_ref, predicate, Literal(text, lang=lang)))
        for code in vocab.LANGUAGES.values():
            language = URIRef(vocab.eu_uri("language", code))
            g.add((catalog_ref, DCT.language, language))
            g.add((language, RDF.type, DCT.LinguisticSystem))
        publisher = URIRef(f"{vocab.base()}/#publisher")
        g.add((catalog_ref, DCT.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        for lang, text in catalog_text("publisher").items():
            g.add((publisher, FOAF.name, Literal(text, lang=lang)))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))
        for taxonomy, titles in vocab.theme_taxonomies().items():
            ref = URIRef(taxonomy)
            g.add((catalog_ref, DCAT.themeTaxonomy, ref))
            g.add((ref, RDF.type, SKOS.ConceptScheme))
            for lang, title in titles.items():
                g.add((ref, DCT.title, Literal(title, lang=lang)))

    def _last_catalog_modification(self):
        # Given by the caller (one search for the page), not searched again here.
        return getattr(self, "_modified", None) or super()._last_catalog_modification()

    # --- RDF -> CKAN --------------------------------------------------------------------

    def parse_dataset(self, dataset_dict, dataset_ref):
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        g = self.g
        for key, predicate in (("title", DCT.title), ("notes", DCT.description)):
            values = self._by_lang(dataset_ref, predicate)
            if values.get("zh"):
                dataset_dict[key] = values["zh"]
            if values.get("en"):
                dataset_dict[f"{key}_en"] = values["en"]
        extras = {e["key"]: e["value"] for e in dataset_dict.get("extras", [])}
        dataset_dict["resource_code"] = extras.get("identifier") or \
            self._object_value(dataset_ref, DCT.identifier)
        issued = self._object_value(dataset_ref, DCT.issued)
        if issued:
            dataset_dict["release_date"] = issued[:10]
        themes = [str(t) for t in g.objects(dataset_ref, DCAT.theme)]
        for list_name, many in (("classification", False), ("base_theme_db", True),
                                ("domain", False)):
            found = [c for c in (vocab.code_of_concept(list_name, t) for t in themes) if c]
            if found:
                dataset_dict[list_name] = sorted(found, key=codes.values(list_name).index) \
                    if many else found[0]
        for key, list_name, table, predicate in (
                ("update_cycle", "update_cycle", "frequency", DCT.accrualPeriodicity),
                ("open_attribute", "open_attribute", "access-right", DCT.accessRights)):
            value = self._object(dataset_ref, predicate)
            code = vocab.code_of_eu(list_name, table, str(value)) if value else None
            if code:
                dataset_dict[key] = code
        category = self._object(dataset_ref, DCT.type)
        if category is not None:
            dataset_dict["format_category"] = vocab.code_of_concept("format_category",
                                                                    str(category))
        format_types = []
        for ref in g.objects(dataset_ref, DCT["format"]):
            code = (vocab.code_of_concept("format_types", str(ref))
                    or vocab.code_of_eu("format_types", "file-type", str(ref)))
            if code:
                format_types.append(code)
        if format_types:
            dataset_dict["format_types"] = sorted(format_types,
                                                  key=codes.values("format_types").index)
        for distribution in g.objects(dataset_ref, DCAT.distribution):
            for licence_ref in g.objects(distribution, DCT.license):
                licence_id = self._object_value(licence_ref, DCT.identifier)
                if licence_id in LicenseRegister():
                    dataset_dict["license_id"] = licence_id
        self._parse_contact(dataset_dict, dataset_ref)
        self._parse_publisher(dataset_dict, dataset_ref)
        related = []
        for ref in g.objects(dataset_ref, DCT.relation):
            code = public.code_of_public_id(str(ref).rstrip("/").rsplit("/", 1)[-1])
            if code:
                related.append(code)
        if related:
            dataset_dict["related_codes"] = related
        items = self._parse_table_schema(dataset_ref)
        if items:
            dataset_dict["data_items"] = items
        conditions = [self._object_value(r, RDFS.label)
                      for d in g.objects(dataset_ref, DCAT.distribution)
                      for r in g.objects(d, DCT.rights)]
        if dataset_dict.get("open_attribute") == codes.CONDITIONAL and conditions:
            dataset_dict["open_conditions"] = conditions[0]
        for resource in dataset_dict.get("resources", []):
            self._parse_resource(resource)
        return dataset_dict

    def _by_lang(self, subject, predicate) -> dict[str, str]:
        values: dict[str, str] = {}
        for o in self.g.objects(subject, predicate):
            if isinstance(o, Literal):
                values.setdefault((o.language or "zh").split("-")[0], str(o))
        return values

    def _parse_contact(self, dataset_dict, dataset_ref) -> None:
        for contact in self.g.objects(dataset_ref, DCAT.contactPoint):
            office = self._object_value(contact, VCARD["organization-unit"])
            if office:
                dataset_dict["provider_office"] = office
            email = self._object_value(contact, VCARD.hasEmail)
            if email:
                dataset_dict["contact_email"] = email.replace("mailto:", "", 1)
            phone = self._object_value(contact, VCARD.hasTelephone)
            if phone:
                dataset_dict["contact_phone"] = phone.replace("tel:", "", 1)
        dataset_dict.pop("contact", None)

    def _parse_publisher(self, dataset_dict, dataset_ref) -> None:
        """owner_org: the department whose credit code the publisher carries."""
        for publisher in self.g.objects(dataset_ref, DCT.publisher):
            department = uniqueness.department_with_credit_code(
                self._object_value(publisher, DCT.identifier))
            if department is not None:
                dataset_dict["owner_org"] = department.id

    def _parse_table_schema(self, dataset_ref) -> list[dict[str, Any]]:
        g = self.g
        for schema in g.objects(dataset_ref, DCT.conformsTo):
            head = g.value(schema, CSVW.column)
            if head is None:
                continue
            items = []
            for column in Collection(g, head):
                datatype = g.value(column, CSVW.datatype)
                titles = self._by_lang(column, CSVW.title)
                item = {"name": str(g.value(column, CSVW.name)),
                        "data_type": str(g.value(datatype, SKOS.notation))}
                if titles.get("en"):
                    item["name_en"] = titles["en"]
                length = g.value(datatype, CSVW.maxLength)
                if length is not None:
                    item["length"] = int(length)
                description = g.value(column, DCT.description)
                if description is not None:
                    item["description"] = str(description)
                items.append(item)
            return items
        return []

    def _parse_resource(self, resource: dict[str, Any]) -> None:
        """The resource's format as the catalog writes it (CSV), not the EU URI."""
        fmt = resource.get("format") or ""
        code = vocab.code_of_eu("format_types", "file-type", fmt)
        if code:
            resource["format"] = code.upper()


def table_schema_triples(entry: dict[str, Any]) -> list[tuple]:
    """The entry's data items (信息项) as a CSVW table schema."""
    from rdflib import Graph

    g = Graph()
    schema = URIRef(table_schema_uri(entry))
    g.add((URIRef(dataset_uri(entry)), DCT.conformsTo, schema))
    g.add((schema, RDF.type, DCT.Standard))
    g.add((schema, RDF.type, CSVW.Schema))
    g.add((schema, DCT.title, Literal(f"{entry.get('title', '')} 信息项", lang="zh")))
    if entry.get("title_en"):
        g.add((schema, DCT.title, Literal(f"Data items of {entry['title_en']}", lang="en")))
    columns = []
    for item in entry.get("data_items") or []:
        column, datatype = BNode(), BNode()
        columns.append(column)
        g.add((column, RDF.type, CSVW.Column))
        g.add((column, CSVW.name, Literal(item["name"])))
        g.add((column, CSVW.title, Literal(item["name"], lang="zh")))
        if item.get("name_en"):
            g.add((column, CSVW.title, Literal(item["name_en"], lang="en")))
        if item.get("description"):
            g.add((column, DCT.description, Literal(item["description"], lang="zh")))
        g.add((column, CSVW.datatype, datatype))
        g.add((datatype, RDF.type, CSVW.Datatype))
        g.add((datatype, CSVW.base, Literal(CSVW_DATATYPES.get(item["data_type"], "string"))))
        g.add((datatype, SKOS.notation, Literal(item["data_type"])))
        if item.get("length") not in (None, ""):
            g.add((datatype, CSVW.maxLength,
                   Literal(int(item["length"]), datatype=XSD.nonNegativeInteger)))
    head = BNode()
    Collection(g, head, columns)
    g.add((schema, CSVW.column, head))
    return list(g)


class LngovSchemaOrgProfile(SchemaOrgProfile):
    """schema.org Dataset for the dataset page: the same public fields as the DCAT output."""

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        if not codes.is_public(dataset_dict):
            return  # nothing is said of a non-public entry
        entry = public.public_fields(dataset_dict)
        entry["identifier"] = entry.get("resource_code")
        entry["issued"] = entry.get("release_date")
        entry["resources"] = [r for r in entry.get("resources") or []
                              if not status.quarantined(r["id"])]
        if not codes.downloadable(entry):
            for resource in entry.get("resources") or []:
                resource["url"] = dataset_page(entry)  # no public download
        super().graph_from_dataset(entry, dataset_ref)

