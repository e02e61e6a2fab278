"""The four agents: redshift-query-optimizer, schema-normalizer, cost-saver and
data-validation-agent, each run by one of two engines (``rules`` offline, ``bedrock``).

- :mod:`.context`: what one agent sees about one fingerprint (touched tables only, redacted
  for a model);
- :mod:`.rules_engine`: the analyzer's findings turned into each agent's output;
- :mod:`.bedrock_engine`: Claude through Converse with a forced tool per agent;
- :mod:`.prompts`: the versioned prompts, from the project or from S3;
- :mod:`.validation`: the V-code checks run as SQL inside the warehouse;
- :mod:`.runner`: one entry point, :func:`run_agent`, that both engines share.
"""
