from setuptools import find_packages, setup

setup(
    name="ckanext-lngov",
    version="0.1.0",
    description="Liaoning Province public open-data portal (辽宁省公共数据开放平台), "
                "a CKAN extension",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.11,<3.12",
    packages=find_packages(include=["ckanext", "ckanext.*"]),
    namespace_packages=["ckanext"],
    include_package_data=True,
    zip_safe=False,
    # Exact versions, with everything they pull in, are pinned in requirements.txt.
    install_requires=[
        "ckan==2.12.0",
        "ckanext-scheming==3.1.0",
        "ckanext-dcat==2.4.4",
        "ckanext-harvest==1.6.3",
        "flask-talisman==1.1.0",
        "Flask-Limiter==4.1.1",
    ],
    entry_points={
        "ckan.plugins": [
            "lngov = ckanext.lngov.plugin:LngovPlugin",
            "lngov_exchange = ckanext.lngov.harvest.exchange:LngovExchangeHarvester",
        ],
        "ckan.rdf.profiles": [
            "lngov_dcat_ap_3 = ckanext.lngov.dcat.profile:LngovDCATAP3Profile",
            "lngov_schemaorg = ckanext.lngov.dcat.profile:LngovSchemaOrgProfile",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
