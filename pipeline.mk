# pipeline.mk: the pbc-pipeline run, stage by stage, as file dependencies.
#
#   make -f pipeline.mk IN=<extracts dir> REF=<reference dir> OUT=<output dir> \
#        PERIOD=<YYYY-MM> [PCT=<code>] [aggregate|publish|budgets|clean]
#
# aggregate (default): ingest -> attribute -> price -> aggregate, writing the
#   SPEC §7.1 files into OUT.
# publish: all that, then the load into PostgreSQL and the statements.
# budgets: budget setting for the financial year of PERIOD (R-B) into OUT.
# close: closes the month published from OUT (finance's sign-off; issue 10).
# reopen: re-opens it; needs REASON="why".
# clean: removes OUT's outputs and intermediate files.
#
# PCT defaults to the pct key of REF/pbc.conf (the stages read it).  Work files
# go to OUT/.work; every stage writes under a temporary name and renames its
# outputs into place only on success, so a failed stage leaves nothing a later
# one could take for finished, and a re-run redoes only what changed.

PIPELINE_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BIN ?= $(PIPELINE_TOP)/build/rel/bin
.DELETE_ON_ERROR:
.SUFFIXES:

.PHONY: aggregate publish budgets statements clean close reopen
.DEFAULT_GOAL := aggregate

ifeq ($(OUT),)
  $(error OUT is not set: make -f pipeline.mk IN=dir REF=dir OUT=dir PERIOD=YYYY-MM)
endif

WORK := $(OUT)/.work
STAGE_BINS := $(BIN)/pbc-ingest $(BIN)/pbc-attribute $(BIN)/pbc-price $(BIN)/pbc-aggregate \
              $(BIN)/pbc-publish

ifneq ($(filter-out clean close reopen,$(or $(MAKECMDGOALS),aggregate)),)
  ifeq ($(IN),)
    $(error IN is not set: the directory of activity extracts)
  endif
  ifeq ($(REF),)
    $(error REF is not set: the directory of reference data)
  endif
  ifeq ($(PERIOD),)
    $(error PERIOD is not set: the reporting month, YYYY-MM)
  endif
  # (a quote in PERIOD becomes an x, which cannot match, so it cannot break the quoting)
  ifeq ($(shell printf '%s\n' '$(subst ',x,$(PERIOD))' | grep -Eqx '[0-9]{4}-(0[1-9]|1[0-2])' && echo ok),)
    $(error PERIOD "$(PERIOD)" is not a month of the form YYYY-MM)
  endif
  ifeq ($(wildcard $(IN)/.),)
    $(error IN "$(IN)" is not a directory)
  endif
  ifeq ($(wildcard $(REF)/.),)
    $(error REF "$(REF)" is not a directory)
  endif
  # Patient-level outputs: the output directory is the owner's alone.
  $(shell mkdir -p -m 700 "$(OUT)" "$(WORK)")
  # Activity extracts: regular, non-hidden *.csv, *.csv.gz, *.gz (SPEC §3.1).
  INPUTS := $(sort $(wildcard $(IN)/*.csv $(IN)/*.csv.gz $(IN)/*.gz))
  REFS := $(sort $(wildcard $(REF)/*.csv $(REF)/*.csv.gz $(REF)/*.conf))
  # Files whose content changes when the parameters or the set of inputs do,
  # so that a re-run with another PERIOD or a removed extract redoes the work.
  define remember
    $(shell printf '%s\n' $(2) | cmp -s - "$(1)" || printf '%s\n' $(2) > "$(1)")
  endef
  $(call remember,$(WORK)/inputs.list,$(INPUTS))
  $(call remember,$(WORK)/refs.list,$(REFS))
  $(call remember,$(WORK)/params,PERIOD=$(PERIOD) PCT=$(PCT))
endif

PCT_OPT := $(if $(PCT),--pct $(PCT))

# The binaries, built once from the project's Makefile when missing.
$(STAGE_BINS) $(BIN)/pbc-statements &:
	@$(MAKE) -C $(PIPELINE_TOP) --no-print-directory bins

# --- ingest (R-I) ---------------------------------------------------------
# Two steps, so that `make -j` uses every core: each extract is validated on
# its own into a part file (R-I2; rejects and row counts kept in the part),
# then one merge applies net change across all of them in byte order of the
# extracts' names (R-I3), builds spells (R-I4) and writes the units, rejects
# and counts.  A re-run re-parses only the extracts that changed.
PARTS := $(patsubst $(IN)/%,$(WORK)/parts/%.part,$(INPUTS))

# One process per extract and nothing else: the directory is made once (an
# order-only prerequisite), and a command without shell syntax, under the
# default shell (every recipe here is POSIX sh), make runs directly (file
# names with spaces cannot pass through make anyway).  Nationally that is
# 1,020 processes, not 4,080.
$(PARTS): $(WORK)/parts/%.part: $(IN)/% $(BIN)/pbc-ingest | $(WORK)/parts
	@$(BIN)/pbc-ingest --part --output $@ $<

$(WORK)/parts:
	@mkdir -p -m 700 $@

$(WORK)/units.csv: $(PARTS) $(WORK)/inputs.list $(wildcard $(REF)/pbc.conf) $(BIN)/pbc-ingest
	$(BIN)/pbc-ingest $(if $(PARTS),--merge) --ref "$(REF)" --output $@ \
	    --rejects $(WORK)/rejects.csv --file-reconciliation $(WORK)/file_reconciliation.csv \
	    --data-quality $(WORK)/ingest_dq.csv --deletions $(WORK)/deletions.csv \
	    $(if $(PARTS),$(PARTS),"$(IN)")

# --- attribute (R-A) ------------------------------------------------------
# The registrations are loaded into an index file of their own, which needs
# nothing from ingest: under `make -j` it is made while the extracts are
# merged, and a re-run with the same registrations reuses it.
# pbc-attribute checks that the index is of these very registrations (and
# reads them instead when it is not).
REGISTRATIONS := $(firstword $(wildcard $(REF)/registrations.csv.gz $(REF)/registrations.csv))

$(WORK)/registrations.idx: $(REGISTRATIONS) $(BIN)/pbc-attribute
	$(BIN)/pbc-attribute --ref "$(REF)" --make-index $@

$(WORK)/attributed.csv: $(WORK)/units.csv $(WORK)/registrations.idx $(REFS) $(WORK)/refs.list \
                        $(WORK)/params $(BIN)/pbc-attribute
	$(BIN)/pbc-attribute --ref "$(REF)" $(PCT_OPT) --registry-index $(WORK)/registrations.idx \
	    --output $@ $<

# --- price (R-P) ----------------------------------------------------------
$(WORK)/priced.csv: $(WORK)/attributed.csv $(REFS) $(WORK)/refs.list $(BIN)/pbc-price
	$(BIN)/pbc-price --ref "$(REF)" --output $@ $<

# --- aggregate (R-G, R-B) -------------------------------------------------
# statements.csv is renamed into place last: it stands for the whole set.
$(OUT)/statements.csv: $(WORK)/priced.csv $(REFS) $(WORK)/refs.list $(WORK)/params \
                       $(BIN)/pbc-aggregate
	$(BIN)/pbc-aggregate --ref "$(REF)" $(PCT_OPT) --period $(PERIOD) --work $(WORK) \
	    --in "$(IN)" --output-dir "$(OUT)"

aggregate: $(OUT)/statements.csv

budgets: $(WORK)/priced.csv $(BIN)/pbc-aggregate
	$(BIN)/pbc-aggregate --ref "$(REF)" $(PCT_OPT) --period $(PERIOD) --work $(WORK) \
	    --in "$(IN)" --output-dir "$(OUT)" --budgets-only

# --- publish (SPEC §7.2) --------------------------------------------------
publish: $(OUT)/statements.csv $(BIN)/pbc-publish $(BIN)/pbc-statements
	@$(PG_UP) && \
	    $(BIN)/pbc-publish --out "$(OUT)" && $(BIN)/pbc-statements --out "$(OUT)"

# --- month-end (docs/month_end.md) ----------------------------------------
PG_UP = eval "$$($(PIPELINE_TOP)/scripts/pg.sh env)" && $(PIPELINE_TOP)/scripts/pg.sh start

close: $(BIN)/pbc-publish $(BIN)/pbc-statements
	@$(PG_UP) && $(BIN)/pbc-publish --close --out "$(OUT)" $(if $(LOAD),--load $(LOAD)) \
	    $(if $(REASON),--reason "$(REASON)") && $(BIN)/pbc-statements --out "$(OUT)"

reopen: $(BIN)/pbc-publish $(BIN)/pbc-statements
	@$(if $(REASON),,$(error REASON is not set: make -f pipeline.mk OUT=dir reopen REASON="why"))
	@$(PG_UP) && $(BIN)/pbc-publish --reopen --out "$(OUT)" --reason "$(REASON)" && \
	    $(BIN)/pbc-statements --out "$(OUT)"

clean:
	rm -rf "$(WORK)" "$(OUT)/statements" "$(OUT)"/.*.tmp-*
	cd "$(OUT)" 2>/dev/null && rm -f priced_activity.csv practice_month.csv statements.csv \
	    statement_breakdown.csv budgets.csv benchmarks.csv data_quality.csv \
	    attribution_audit.csv attribution_mismatch.csv out_of_area.csv rejects.csv \
	    file_reconciliation.csv deletions.csv reconciliation.csv pricing_audit.csv unpriced.csv \
	    top_hrgs.csv changes.csv changes_by_practice.csv prior_month_adjustments.csv \
	    run.ini || true
