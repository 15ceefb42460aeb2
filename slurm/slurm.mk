# slurm.mk - local single-node Slurm for trying the sbatch scripts (see slurm/README.md).
#   make slurm-up / slurm-down     start / stop it (state in $SLURM_LOCAL_DIR, default /tmp/shardboost-slurm)
#   make test-slurm                only the Slurm integration test, against $(BIN)/shardboost
.PHONY: slurm-up slurm-down test-slurm
slurm-up:
	@slurm/local-cluster.sh up
slurm-down:
	@slurm/local-cluster.sh down --purge
test-slurm: $(BIN)/shardboost
	@SB=$(CURDIR)/$(BIN)/shardboost bash tests/integration/slurm_cluster.sh
