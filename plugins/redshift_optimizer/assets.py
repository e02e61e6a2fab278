"""The Airflow assets the DAGs exchange (Airflow glue: imported by DAG files only).

``METADATA_REFRESHED`` is updated by the metadata refresh once the day's objects are in
the lake; its event's extra carries ``run_date`` (YYYY-MM-DD) and the lake ``keys``, so a
DAG scheduled on it knows which day to read without a logical date.
"""

from airflow.sdk import Asset

METADATA_REFRESHED = Asset(name="redshift_metadata_refreshed", uri="redshift-optimizer://metadata/refreshed")
