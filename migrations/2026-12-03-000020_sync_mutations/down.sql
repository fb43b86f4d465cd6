DROP TABLE sync_mutations;
