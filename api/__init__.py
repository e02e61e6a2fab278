"""The Redshift Query Optimizer's HTTP API and web page (FastAPI; `api.main.create_app`)."""
