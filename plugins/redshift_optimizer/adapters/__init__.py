"""Adapters to the outside world (S3, SNS, CloudWatch), each behind a small interface.

They use the Amazon provider's hooks, so an Airflow AWS connection (or the ordinary AWS
environment, ``AWS_ENDPOINT_URL`` included) decides where they go.
"""
