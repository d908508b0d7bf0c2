/*
 * cmd_rules.c: "blastwall rules": every guard rule with its id, the
 * decision in development and in production (after the config's overrides
 * when --effective is given) and what it protects. --json for scripts and
 * for the test that checks every rule has corpus cases.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/arena.h"
#include "common/err.h"
#include "guard/guard.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: blastwall rules [--json] [--effective] [--verbose] [PACK-OR-ID-GLOB]\n\n"
		   "Lists the guard's rules: id, decision for a development target / a production target,\n"
		   "and what each one stops.\n\n"
		   "  --json       print the rules as JSON (schema: doc/json/check.md)\n"
		   "  --effective  show the decisions after the overrides in your config\n"
		   "  --verbose    also print each rule's full message\n\n"
		   "Exit status: 0 listed, 1 no rule matches the glob, 2 usage\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

static const char *kind_name(enum guard_prod_kind k)
{
	switch (k) {
	case PROD_NONE: return "paths";
	case PROD_TERRAFORM: return "terraform-workspace";
	case PROD_AWS: return "aws-profile";
	case PROD_KUBE: return "kube-context";
	case PROD_GCLOUD: return "cloud-project";
	case PROD_DB: return "database-host";
	case PROD_ENV: return "environment";
	}
	return "paths";
}

int cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "effective", no_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, effective = false, verbose = false;
	int c;
	while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'e': effective = true; break;
		case 'v': verbose = true; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error("rules", "at most one pattern");
	const char *pat = optind < argc ? argv[optind] : NULL;
	struct arena *a = arena_new();
	struct bw_config cfg;
	struct err e;
	err_init(&e);
	bool have_cfg = false;
	if (effective) {
		char here[4096];
		if (config_load(a, getcwd(here, sizeof(here)) ? here : NULL, &cfg, &e) < 0) {
			err_print(&e);
			arena_free(a);
			return EXIT_FAIL;
		}
		have_cfg = !cfg.broken;
		if (cfg.broken)
			bw_warn("%s (showing the built-in decisions)", cfg.broken_msg);
	}
	size_t n;
	const struct guard_rule *r = guard_rules(&n);
	json_t *arr = json ? json_array() : NULL;
	size_t shown = 0;
	if (!json)
		printf("%-34s %-5s %-5s %s\n", "RULE", "DEV", "PROD", "STOPS");
	for (size_t i = 0; i < n; i++) {
		if (pat && !str_glob(pat, str_from(r[i].id)) &&
		    !(strchr(r[i].id, '.') && strncmp(r[i].id, pat, strlen(pat)) == 0 && r[i].id[strlen(pat)] == '.'))
			continue;
		enum decision dev = r[i].dev, prod = r[i].prod;
		if (have_cfg) {
			int o = config_rule_decision(&cfg, r[i].id, false);
			if (o >= 0)
				dev = (enum decision)o;
			o = config_rule_decision(&cfg, r[i].id, true);
			if (o >= 0)
				prod = (enum decision)o;
		}
		shown++;
		if (json) {
			json_t *o = json_object();
			size_t pl = strcspn(r[i].id, ".");
			json_object_set_new(o, "id", json_string(r[i].id));
			json_object_set_new(o, "pack", json_stringn(r[i].id, pl));
			json_object_set_new(o, "decision", json_string(decision_name(dev)));
			json_object_set_new(o, "production_decision", json_string(decision_name(prod)));
			json_object_set_new(o, "production_evidence", json_string(kind_name(r[i].kind)));
			json_object_set_new(o, "description", json_string(r[i].summary));
			json_object_set_new(o, "message", json_string(r[i].message));
			json_object_set_new(o, "tools", r[i].tools ? json_string(r[i].tools) : json_null());
			json_object_set_new(o, "path", r[i].path ? json_string(r[i].path) : json_null());
			json_object_set_new(o, "judged_by", r[i].judged_by ? json_string(r[i].judged_by) : json_null());
			json_array_append_new(arr, o);
		} else {
			printf("%-34s %-5s %-5s %s%s%s%s\n", r[i].id, decision_name(dev), decision_name(prod), r[i].summary,
			       r[i].judged_by ? " (judged from the " : "", r[i].judged_by ? r[i].judged_by : "",
			       r[i].judged_by ? ")" : "");
			if (verbose)
				printf("    %s\n", r[i].message);
		}
	}
	if (json) {
		char *s = json_dumps(arr, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		printf("%s\n", s);
		free(s);
		json_decref(arr);
	}
	arena_free(a);
	if (!shown) {
		bw_error("no rule matches '%s'", pat);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
