"""Large corpora: streaming runs to Parquet shards, on one machine or a Ray cluster."""
