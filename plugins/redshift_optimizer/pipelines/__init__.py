"""The steps of the product's pipelines, free of Airflow: the DAG tasks call these."""
