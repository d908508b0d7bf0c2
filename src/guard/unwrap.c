/*
 * unwrap.c: from a simple command to the commands that would really run.
 * Wrappers that run their arguments as a command (sudo, env, timeout, xargs,
 * find -exec, docker exec ...) are peeled off with their own options; code
 * handed over as text (bash -c, eval, ssh HOST CMD, watch, a heredoc fed to
 * sh) is parsed again, one level deeper; inline interpreter code goes to
 * inline.c. What is left is judged by the rule packs.
 *
 * Every wrapper's option table lists the options that take a value, so the
 * wrapped command is found where the wrapper itself would find it. A name or
 * target that exists only at run time is never allowed silently.
 */
#include "guard/guard_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"

struct gcmd *gcmd_shift(struct gctx *g, const struct gcmd *c, size_t from, const char *how)
{
	struct gcmd *n = arena_new_obj(g->a, struct gcmd);
	*n = *c;
	if (from > c->argc)
		from = c->argc;
	n->argv = c->argv + from;
	n->aflags = c->aflags + from;
	n->argc = c->argc - from;
	if (how)
		n->via = c->via ? arena_printf(g->a, "%s, %s", c->via, how) : how;
	n->depth = c->depth + 1;
	return n;
}

const char *gcmd_env(const struct gcmd *c, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = c->nenv; i-- > 0;) {
		if (strncmp(c->env[i], name, n) == 0 && c->env[i][n] == '=')
			return c->env[i] + n + 1;
	}
	return getenv(name);
}

static bool dyn(const struct gcmd *c, size_t i)
{
	return (c->aflags[i] & (WORD_DYNAMIC | GARG_RUNTIME)) != 0;
}

static bool eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/*
 * Skips a wrapper's options starting at argv[i]: vopts lists (space separated)
 * the options that take a separate value; a short option may carry its value
 * glued ("-uroot"), a long one after "=". Stops at "--" (skipped) or the
 * first non-option. Returns the index of the wrapped command.
 */
static size_t skip_opts(const struct gcmd *c, size_t i, const char *vopts)
{
	while (i < c->argc) {
		const char *w = c->argv[i];
		if (eq(w, "--"))
			return i + 1;
		if (w[0] != '-' || w[1] == '\0')
			return i;
		if (strchr(w, '=')) {
			i++;
			continue;
		}
		if (guard_alt_match(vopts, w)) {
			i += 2;
			continue;
		}
		i++;
	}
	return i;
}

/* Joins argv[from..] with spaces: the text a shell would run for ssh / eval / watch. */
static char *join_args(struct gctx *g, const struct gcmd *c, size_t from)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = from; i < c->argc; i++) {
		if (i > from)
			buf_addc(&b, ' ');
		buf_addz(&b, c->argv[i]);
	}
	char *r = arena_strndup(g->a, b.p ? b.p : "", b.n);
	buf_release(&b);
	return r;
}

/* "DIR/{}": stands for any path below DIR that find or xargs hands over at run time. */
static const char *below(struct gctx *g, const char *dir)
{
	size_t n = strlen(dir);
	return arena_printf(g->a, "%s%s{}", dir, n && dir[n - 1] == '/' ? "" : "/");
}

static void wrapped(struct gctx *g, const struct gcmd *c, size_t i, const char *how)
{
	if (i >= c->argc)
		return;
	guard_analyze(g, gcmd_shift(g, c, i, how));
}

static void do_sudo(struct gctx *g, const struct gcmd *c)
{
	size_t i = 1;
	while (i < c->argc) {
		const char *w = c->argv[i];
		if (eq(w, "--")) {
			i++;
			break;
		}
		if (w[0] != '-')
			break;
		if (eq(w, "-e") || eq(w, "--edit") || eq(w, "-l") || eq(w, "--list") || eq(w, "-v") || eq(w, "-K") ||
		    eq(w, "-V") || eq(w, "--version") || eq(w, "--help"))
			return; /* sudoedit, listing, validating: runs no command */
		if (strchr(w, '=')) {
			i++;
			continue;
		}
		/* options with a value; short ones may have it glued on */
		if (w[1] != '-' && strchr("ugpChDrtUTR", w[1]) && w[2] == '\0') {
			i += 2;
			continue;
		}
		if (guard_alt_match("--user --group --prompt --close-from --chdir --role --type --other-user "
				    "--command-timeout --host --chroot", w)) {
			i += 2;
			continue;
		}
		i++;
	}
	struct gcmd *n = gcmd_shift(g, c, i, "sudo");
	/* sudo VAR=value cmd */
	size_t k = 0;
	while (k < n->argc && strchr(n->argv[k], '=') && n->argv[k][0] != '=' && n->argv[k][0] != '-') {
		const char **env = arena_new_array(g->a, const char *, n->nenv + 1);
		memcpy(env, n->env, n->nenv * sizeof(*env));
		env[n->nenv] = n->argv[k];
		n->env = env;
		n->nenv++;
		k++;
	}
	n->argv += k;
	n->aflags += k;
	n->argc -= k;
	if (n->argc)
		guard_analyze(g, n);
}

static void do_env(struct gctx *g, const struct gcmd *c)
{
	struct gcmd *n = gcmd_shift(g, c, 0, "env");
	n->depth = c->depth + 1;
	const char **env = arena_new_array(g->a, const char *, c->nenv + c->argc);
	memcpy(env, c->env, c->nenv * sizeof(*env));
	n->env = env;
	size_t i = 1;
	for (; i < c->argc; i++) {
		const char *w = c->argv[i];
		if (eq(w, "--")) {
			i++;
			break;
		}
		if (eq(w, "-S") || eq(w, "--split-string") || strncmp(w, "--split-string=", 15) == 0 ||
		    (strncmp(w, "-S", 2) == 0 && w[2])) {
			/* env -S 'cmd args' rest...: the string is split into words, like a tiny shell */
			const char *s = w[1] == 'S' ? (w[2] ? w + 2 : (i + 1 < c->argc ? c->argv[++i] : ""))
						    : (strchr(w, '=') ? strchr(w, '=') + 1 : (i + 1 < c->argc ? c->argv[++i] : ""));
			char *rest = join_args(g, c, i + 1);
			guard_analyze_text(g, n, "env -S", arena_printf(g->a, "%s %s", s, rest));
			return;
		}
		if (eq(w, "-u") || eq(w, "--unset")) {
			i++;
			continue;
		}
		if (eq(w, "-C") || eq(w, "--chdir")) {
			if (i + 1 < c->argc)
				n->cwd = path_normalize(g->a, c->cwd, c->argv[++i]);
			continue;
		}
		if (strncmp(w, "--chdir=", 8) == 0) {
			n->cwd = path_normalize(g->a, c->cwd, w + 8);
			continue;
		}
		if (w[0] == '-')
			continue;
		if (strchr(w, '=') && w[0] != '=') {
			env[n->nenv++] = w;
			continue;
		}
		break;
	}
	if (i >= c->argc)
		return;
	n->argv = c->argv + i;
	n->aflags = c->aflags + i;
	n->argc = c->argc - i;
	guard_analyze(g, n);
}

static void do_timeout(struct gctx *g, const struct gcmd *c)
{
	size_t i = skip_opts(c, 1, "-s --signal -k --kill-after");
	wrapped(g, c, i + 1, "timeout"); /* the duration comes first */
}

static void do_xargs(struct gctx *g, const struct gcmd *c)
{
	const char *repl = NULL;
	size_t i = 1;
	while (i < c->argc) {
		const char *w = c->argv[i];
		if (eq(w, "--")) {
			i++;
			break;
		}
		if (w[0] != '-' || !w[1])
			break;
		if (eq(w, "-I") || eq(w, "--replace")) {
			repl = i + 1 < c->argc ? c->argv[i + 1] : "{}";
			i += 2;
			continue;
		}
		if (strncmp(w, "-I", 2) == 0 || strncmp(w, "-i", 2) == 0) {
			repl = w[2] ? w + 2 : "{}";
			i++;
			continue;
		}
		if (strncmp(w, "--replace=", 10) == 0) {
			repl = w + 10;
			i++;
			continue;
		}
		if (strchr(w, '=') || (w[1] != '-' && w[2])) {
			i++;
			continue;
		}
		if (guard_alt_match("-n -P -L -d -E -s -a --arg-file --delimiter --max-args --max-procs --max-lines "
				    "--eof --max-chars --process-slot-var", w)) {
			i += 2;
			continue;
		}
		i++;
	}
	struct gcmd *n;
	if (i >= c->argc) {
		/* xargs alone runs echo */
		return;
	}
	n = gcmd_shift(g, c, i, "xargs");
	n->more_args = repl == NULL;
	n->stdin_text = NULL;
	n->stdin_file = NULL;
	n->stdin_unknown = NULL;
	if (repl) {
		unsigned *fl = arena_new_array(g->a, unsigned, n->argc);
		const char **av = arena_new_array(g->a, const char *, n->argc);
		for (size_t k = 0; k < n->argc; k++) {
			av[k] = n->argv[k];
			fl[k] = n->aflags[k] | (eq(n->argv[k], repl) ? GARG_RUNTIME : 0);
			if (eq(n->argv[k], repl) && c->input_root) {
				av[k] = below(g, c->input_root);
				fl[k] = GARG_RUNTIME;
			}
		}
		n->argv = av;
		n->aflags = fl;
	} else if (c->input_root) {
		/* find START ... | xargs CMD: the inputs are paths below START */
		const char **av = arena_new_array(g->a, const char *, n->argc + 1);
		unsigned *fl = arena_new_array(g->a, unsigned, n->argc + 1);
		memcpy(av, n->argv, n->argc * sizeof(*av));
		memcpy(fl, n->aflags, n->argc * sizeof(*fl));
		av[n->argc] = below(g, c->input_root);
		fl[n->argc] = GARG_RUNTIME;
		n->argv = av;
		n->aflags = fl;
		n->argc++;
		n->more_args = false;
	}
	n->input_root = NULL;
	const char *saved = g->runtime_token;
	if (repl)
		g->runtime_token = repl;
	guard_analyze(g, n);
	g->runtime_token = saved;
}

static void do_parallel(struct gctx *g, const struct gcmd *c)
{
	size_t i = skip_opts(c, 1, "-j --jobs -I --colsep -a --arg-file -S --sshlogin --joblog --results -d "
				   "--delimiter --timeout --tmpdir --workdir --env");
	size_t end = i;
	while (end < c->argc && !eq(c->argv[end], ":::") && !eq(c->argv[end], "::::") && !eq(c->argv[end], ":::+"))
		end++;
	if (end == i)
		return;
	struct gcmd *n = gcmd_shift(g, c, 0, NULL);
	struct gcmd tmp = *c;
	tmp.argc = end;
	const char *cmd = join_args(g, &tmp, i);
	if (end + 1 >= c->argc || !eq(c->argv[end], ":::")) {
		n->more_args = true; /* inputs from stdin or a file */
		guard_analyze_text(g, n, "parallel", cmd);
		return;
	}
	/* parallel CMD ::: a b c runs CMD a, CMD b, CMD c */
	for (size_t k = end + 1, seen = 0; k < c->argc && seen < 16; k++, seen++) {
		if (eq(c->argv[k], ":::") || eq(c->argv[k], "::::"))
			break;
		const char *in = (c->aflags[k] & WORD_DYNAMIC) ? "\"$RUNTIME\"" : c->argv[k];
		guard_analyze_text(g, n, "parallel", strstr(cmd, "{}") ? cmd : arena_printf(g->a, "%s %s", cmd, in));
	}
}

/* find START... EXPR: -exec/-execdir/-ok/-okdir run commands on each result; -delete removes them. */
static void do_find(struct gctx *g, const struct gcmd *c)
{
	size_t i = 1;
	while (i < c->argc && (eq(c->argv[i], "-H") || eq(c->argv[i], "-L") || eq(c->argv[i], "-P")))
		i++;
	size_t s0 = i;
	while (i < c->argc && c->argv[i][0] != '-' && !eq(c->argv[i], "(") && !eq(c->argv[i], "!"))
		i++;
	size_t s1 = i;
	const char *start = s1 > s0 ? c->argv[s0] : ".";
	unsigned start_flags = s1 > s0 ? c->aflags[s0] : 0;
	bool filtered = false, removes = false;
	const char *name_pat = NULL;
	for (size_t k = s1; k < c->argc; k++) {
		const char *w = c->argv[k];
		if ((eq(w, "-name") || eq(w, "-iname") || eq(w, "-path")) && k + 1 < c->argc)
			name_pat = c->argv[k + 1];
		if (eq(w, "-delete"))
			removes = true;
		if ((eq(w, "-exec") || eq(w, "-execdir") || eq(w, "-ok") || eq(w, "-okdir")) && k + 1 < c->argc &&
		    (eq(path_basename(c->argv[k + 1]), "rm") || eq(path_basename(c->argv[k + 1]), "shred") ||
		     eq(path_basename(c->argv[k + 1]), "unlink")))
			removes = true;
	}
	/* find . -name '*.tfstate' -delete: the pattern says what goes */
	if (removes && name_pat && guard_is_state_file(name_pat))
		guard_hit(g, c, "terraform.state-file", arena_printf(g->a, "Target: every %s below `%s`.", name_pat, start));
	else if (removes && name_pat && guard_is_db_file(name_pat))
		guard_hit(g, c, "filesystem.db-file", arena_printf(g->a, "Target: every %s below `%s`.", name_pat, start));
	/* find ~ -name .blastwall.yaml -delete: blastwall's own files, by the name they would match */
	if (removes && name_pat)
		guard_fs_self(g, c, path_join(g->a, start, name_pat), start_flags & ~WORD_GLOB, false, " (every match below it)");
	for (size_t k = s1; k < c->argc; k++) {
		const char *w = c->argv[k];
		/* tests that select some files (-type alone still takes every file) */
		if (guard_alt_match("-name -iname -path -ipath -regex -iregex -wholename -iwholename -mtime -mmin -atime "
				    "-amin -ctime -cmin -user -group -nouser -nogroup -size -empty -inum -samefile -perm "
				    "-lname -ilname -links -uid -gid -used", w) ||
		    strncmp(w, "-newer", 6) == 0 ||
		    (eq(w, "-type") && k + 1 < c->argc && !eq(c->argv[k + 1], "f")))
			filtered = true;
		if (eq(w, "-exec") || eq(w, "-execdir") || eq(w, "-ok") || eq(w, "-okdir")) {
			size_t e = k + 1;
			while (e < c->argc && !eq(c->argv[e], ";") && !eq(c->argv[e], "+"))
				e++;
			if (e > k + 1) {
				struct gcmd *n = gcmd_shift(g, c, k + 1, arena_printf(g->a, "find %s", w));
				n->argc = e - (k + 1);
				n->stdin_text = NULL;
				n->stdin_unknown = NULL;
				n->stdin_file = NULL;
				const char **argv = arena_new_array(g->a, const char *, n->argc + 1);
				unsigned *fl = arena_new_array(g->a, unsigned, n->argc + 1);
				for (size_t j = 0; j < n->argc; j++) {
					argv[j] = n->argv[j];
					fl[j] = n->aflags[j];
					if (eq(n->argv[j], "{}")) {
						/* each result lies below a start directory: judge that */
						argv[j] = below(g, start);
						fl[j] = (start_flags & WORD_DYNAMIC) | GARG_RUNTIME;
					}
				}
				n->argv = argv;
				n->aflags = fl;
				const char *saved = g->runtime_token;
				g->runtime_token = "{}";
				guard_analyze(g, n);
				g->runtime_token = saved;
			}
			k = e;
			continue;
		}
		if (eq(w, "-delete")) {
			for (size_t s = s0; s < (s1 > s0 ? s1 : s0 + 1); s++) {
				const char *t = s1 > s0 ? c->argv[s] : ".";
				unsigned f = s1 > s0 ? c->aflags[s] : 0;
				if (filtered) {
					t = below(g, t);
					f |= GARG_RUNTIME;
				}
				struct gcmd *n = gcmd_shift(g, c, 0, NULL);
				guard_fs_remove(g, n, t, f, true);
			}
		}
	}
	guard_note_cmd(g, c);
}

static void do_shell(struct gctx *g, const struct gcmd *c, const char *name)
{
	size_t i = 1;
	bool has_c = false, has_s = false;
	for (; i < c->argc; i++) {
		const char *w = c->argv[i];
		if (eq(w, "--") || eq(w, "-")) {
			has_s = has_s || eq(w, "-");
			i++;
			break;
		}
		if (w[0] == '-' && w[1] != '-' && strchr(w, 's'))
			has_s = true;
		if (w[0] != '-' && w[0] != '+')
			break;
		if (eq(w, "-o") || eq(w, "+o") || eq(w, "--rcfile") || eq(w, "--init-file") || eq(w, "-O") ||
		    eq(w, "+O")) {
			i++;
			continue;
		}
		if (w[1] != '-' && strchr(w, 'c'))
			has_c = true;
	}
	if (has_c) {
		if (i >= c->argc)
			return;
		/* expansions stay as source text in the script: the nested parse judges them in place
		 * ("$SCRIPT" alone becomes a command name known only at run time: ask) */
		guard_analyze_text(g, c, arena_printf(g->a, "%s -c", name), c->argv[i]);
		return;
	}
	if (i < c->argc && !has_s) {
		/* a script file is the user's own code and is not read, unless this same line wrote it */
		const char *text = c->remote ? NULL : guard_written(g, c->cwd, c->argv[i]);
		if (text) {
			guard_analyze_text(g, c, arena_printf(g->a, "%s %s (written by this command)", name, c->argv[i]), text);
			return;
		}
		guard_note_cmd(g, c);
		return;
	}
	const char *text = guard_stdin(g, c);
	if (text) {
		guard_analyze_text(g, c, arena_printf(g->a, "%s reading stdin", name), text);
		return;
	}
	if (c->stdin_unknown) {
		guard_hit(g, c, "guard.pipe-to-shell",
			  arena_printf(g->a, "%s runs whatever %s produces, which blastwall cannot see.", name,
				       c->stdin_unknown));
		return;
	}
	guard_note_cmd(g, c);
}

static void do_ssh(struct gctx *g, const struct gcmd *c)
{
	size_t i = 1;
	bool stdin_used = false; /* -n, or a config read from stdin (-F /dev/stdin): stdin is no script */
	while (i < c->argc) {
		const char *w = c->argv[i];
		if (eq(w, "--")) {
			i++;
			break;
		}
		if (w[0] != '-')
			break;
		if (w[1] != '-' && strchr(w + 1, 'n') && strspn(w + 1, "46AaCfGgKkMNnqsTtVvXxYy") == strlen(w + 1))
			stdin_used = true;
		if (w[1] && !w[2] && strchr("bcDEeFIiJLlmOopQRSWwB", w[1])) {
			if (i + 1 < c->argc && (eq(c->argv[i + 1], "/dev/stdin") || eq(c->argv[i + 1], "-")))
				stdin_used = true;
			i += 2;
		} else {
			i++;
		}
	}
	if (i >= c->argc)
		return;
	const char *host = c->argv[i];
	if (i + 1 >= c->argc && stdin_used) {
		guard_note_cmd(g, c);
		return;
	}
	if (i + 1 >= c->argc) {
		/* ssh HOST <<EOF ... / cmd | ssh HOST: the remote shell runs what arrives on stdin */
		const char *text = guard_stdin(g, c);
		struct gcmd *n = gcmd_shift(g, c, 0, NULL);
		n->remote = true;
		n->cwd = "/";
		n->stdin_text = NULL;
		n->stdin_file = NULL;
		n->stdin_unknown = NULL;
		if (text)
			guard_analyze_text(g, n, arena_printf(g->a, "ssh %s reading stdin", host), text);
		else if (c->stdin_unknown)
			guard_hit(g, c, "guard.pipe-to-shell",
				  arena_printf(g->a, "The remote shell on %s runs whatever %s produces.", host, c->stdin_unknown));
		else
			guard_note_cmd(g, c);
		return;
	}
	struct gcmd *n = gcmd_shift(g, c, 0, NULL);
	n->remote = true;
	n->cwd = "/";
	guard_analyze_text(g, n, arena_printf(g->a, "ssh %s", host), join_args(g, c, i + 1));
}

/* docker|podman exec [opts] CONTAINER CMD..., kubectl exec [opts] POD [--] CMD... */
static bool do_exec_in(struct gctx *g, const struct gcmd *c, const char *tool)
{
	size_t i = 1;
	if (c->argc > 2 && eq(c->argv[1], "container") && eq(c->argv[2], "exec"))
		i = 2;
	if (eq(tool, "kubectl")) {
		/* kubectl's global options may come first */
		while (i < c->argc && c->argv[i][0] == '-')
			i += guard_alt_match("-n --namespace --context --cluster --kubeconfig --user -s --server", c->argv[i]) ? 2 : 1;
	}
	if (i >= c->argc || !eq(c->argv[i], "exec"))
		return false;
	i++;
	if (eq(tool, "kubectl")) {
		for (size_t k = i; k < c->argc; k++) {
			if (eq(c->argv[k], "--")) {
				struct gcmd *n = gcmd_shift(g, c, k + 1, "kubectl exec");
				n->remote = true;
				n->cwd = "/";
				if (n->argc)
					guard_analyze(g, n);
				return true;
			}
		}
		i = skip_opts(c, i, "-n --namespace -c --container --context -f --filename --pod-running-timeout");
	} else {
		i = skip_opts(c, i, "-e --env -u --user -w --workdir --env-file --detach-keys");
	}
	if (i >= c->argc)
		return true;
	struct gcmd *n = gcmd_shift(g, c, i + 1, arena_printf(g->a, "%s exec %s", tool, c->argv[i]));
	n->remote = true;
	n->cwd = "/";
	if (n->argc)
		guard_analyze(g, n);
	return true;
}

static bool is_interp(const char *b, const char **lang)
{
	if (strncmp(b, "python", 6) == 0 && (b[6] == '\0' || strspn(b + 6, "0123456789.") == strlen(b + 6))) {
		*lang = "python";
		return true;
	}
	if (eq(b, "pypy") || eq(b, "pypy3")) {
		*lang = "python";
		return true;
	}
	if (eq(b, "node") || eq(b, "nodejs") || eq(b, "bun") || eq(b, "deno")) {
		*lang = "node";
		return true;
	}
	if (eq(b, "perl") || eq(b, "ruby") || eq(b, "php")) {
		*lang = b;
		return true;
	}
	return false;
}

static void do_interp(struct gctx *g, const struct gcmd *c, const char *lang)
{
	const char *code_opts = eq(lang, "python") ? "-c" : eq(lang, "node") ? "-e --eval -p --print" :
				eq(lang, "php") ? "-r" : "-e -E";
	const char *vopts = eq(lang, "python") ? "-W -X --check-hash-based-pycs" :
			    eq(lang, "node") ? "-r --require --import --loader --env-file" :
			    eq(lang, "perl") ? "-I -M -m -x" : eq(lang, "ruby") ? "-I -r -C -E" : "-c -d -f -z";
	if (eq(lang, "perl"))
		guard_fs_rules(g, c, "perl"); /* perl -pi -e CODE FILE edits FILE: judged as a write */
	struct buf code;
	buf_init(&code, 0);
	bool have = false;
	size_t i = 1;
	for (; i < c->argc; i++) {
		const char *w = c->argv[i];
		if (eq(w, "--") || eq(w, "-")) {
			break;
		}
		if (w[0] != '-')
			break;
		if (guard_alt_match(code_opts, w)) {
			if (i + 1 < c->argc) {
				const char *v = c->argv[i + 1];
				if (dyn(c, i + 1) && (v[0] == '$' || v[0] == '`' || (v[0] == '"' && v[1] == '$'))) {
					guard_hit(g, c, "guard.dynamic-command",
						  arena_printf(g->a, "The %s code is only known at run time.", lang));
					buf_release(&code);
					return;
				}
				buf_addz(&code, c->argv[i + 1]);
				buf_addc(&code, '\n');
				have = true;
			}
			i++;
			if (eq(lang, "python") || eq(lang, "php") || eq(lang, "node"))
				break; /* the rest are the program's own arguments */
			continue;
		}
		/* perl/ruby short-option clusters: -ne 'code', -lnE'code', -F: (F, i, l, M ... take the rest) */
		if ((eq(lang, "perl") || eq(lang, "ruby")) && w[1] != '-') {
			const char *s = w + 1;
			for (;;) {
				if (*s == 'l' || *s == '0') {
					/* -l[octal], -0[octal]: an optional number, then more switches */
					s++;
					while (*s >= '0' && *s <= '7')
						s++;
					continue;
				}
				if (!*s || strchr("eE", *s) || strchr("FiMmIxCdDT", *s))
					break;
				s++;
			}
			if (*s == 'e' || *s == 'E') {
				const char *body = s[1] ? s + 1 : (i + 1 < c->argc ? c->argv[++i] : "");
				buf_addz(&code, body);
				buf_addc(&code, '\n');
				have = true;
			}
			continue;
		}
		if (eq(lang, "python") && w[1] != '-' && w[strlen(w) - 1] == 'c' &&
		    strspn(w + 1, "bBdEhiIOqsSuvVx") == strlen(w) - 2 && i + 1 < c->argc) {
			buf_addz(&code, c->argv[i + 1]);
			have = true;
			break;
		}
		if (eq(lang, "python") && eq(w, "-m") && i + 1 < c->argc) {
			/* python -m django flush, python -m alembic downgrade base ... */
			struct gcmd *n = gcmd_shift(g, c, i + 1, arena_printf(g->a, "%s -m", c->argv[0]));
			buf_release(&code);
			guard_analyze(g, n);
			return;
		}
		if (guard_alt_match(vopts, w))
			i++;
	}
	if (!have) {
		const char *written = i < c->argc && !c->remote ? guard_written(g, c->cwd, c->argv[i]) : NULL;
		if (written) {
			guard_note_cmd(g, c);
			guard_inline_code(g, gcmd_shift(g, c, 0, arena_printf(g->a, "%s %s (written by this command)",
								       path_basename(c->argv[0]), c->argv[i])),
					  lang, written);
			buf_release(&code);
			return;
		}
		if (i < c->argc && !eq(c->argv[i], "-")) {
			/* a script: manage.py flush and friends are rules of their own */
			struct gcmd *n = gcmd_shift(g, c, i, NULL);
			n->depth = c->depth;
			buf_release(&code);
			guard_note_cmd(g, n);
			guard_rules_run(g, n);
			return;
		}
		const char *text = guard_stdin(g, c);
		if (text) {
			buf_addz(&code, text);
			have = true;
		} else if (c->stdin_unknown) {
			guard_hit(g, c, "guard.pipe-to-shell",
				  arena_printf(g->a, "%s runs whatever %s produces, which blastwall cannot see.",
					       c->argv[0], c->stdin_unknown));
		}
	}
	guard_note_cmd(g, c);
	if (have)
		guard_inline_code(g, c, lang, code.p);
	buf_release(&code);
}

/*
 * npm run NAME (yarn NAME, pnpm NAME, bun run NAME): the script's text comes
 * from package.json in the working directory, the one file these tools need.
 */
static bool package_script(struct gctx *g, const struct gcmd *c, const char *tool, const char *name)
{
	if (c->remote)
		return false;
	char *text = guard_read_file(g, c->cwd, "package.json", 1u << 20);
	if (!text)
		return false;
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	json_t *s = json_is_object(root) ? json_object_get(json_object_get(root, "scripts"), name) : NULL;
	bool found = json_is_string(s);
	if (found) {
		char *script = arena_strdup(g->a, json_string_value(s));
		json_decref(root);
		guard_note_cmd(g, c);
		guard_analyze_text(g, c, arena_printf(g->a, "%s run %s (package.json)", tool, name), script);
		return true;
	}
	json_decref(root);
	return false;
}

/* npx prisma, pnpm exec, yarn dlx, bundle exec, poetry run ...: package runners. */
static bool do_runner(struct gctx *g, const struct gcmd *c, const char *b)
{
	static const char *const tools =
		"prisma supabase sequelize sequelize-cli cdk serverless sls pulumi rails rake alembic mix rimraf "
		"terraform tofu terragrunt dropdb knex typeorm drizzle-kit";
	size_t i;
	if (eq(b, "npx") || eq(b, "bunx") || eq(b, "pnpx")) {
		i = 1;
		while (i < c->argc && c->argv[i][0] == '-') {
			if (eq(c->argv[i], "-c") || eq(c->argv[i], "--call")) {
				if (i + 1 < c->argc)
					guard_analyze_text(g, c, arena_printf(g->a, "%s -c", b), c->argv[i + 1]);
				return true;
			}
			i += guard_alt_match("-p --package", c->argv[i]) ? 2 : 1;
		}
		wrapped(g, c, i, b);
		return true;
	}
	if (c->argc < 2)
		return false;
	const char *s = c->argv[1];
	if ((eq(b, "npm") || eq(b, "pnpm") || eq(b, "yarn") || eq(b, "bun")) && (eq(s, "exec") || eq(s, "dlx") || eq(s, "x"))) {
		i = skip_opts(c, 2, "-p --package -w --workspace");
		wrapped(g, c, i, arena_printf(g->a, "%s %s", b, s));
		return true;
	}
	if ((eq(b, "pnpm") || eq(b, "yarn") || eq(b, "bun")) && guard_alt_match(tools, s)) {
		wrapped(g, c, 1, b);
		return true;
	}
	if ((eq(b, "npm") || eq(b, "pnpm") || eq(b, "yarn") || eq(b, "bun")) &&
	    (eq(s, "run") || eq(s, "run-script") || eq(s, "rum") || eq(s, "urn"))) {
		size_t k = skip_opts(c, 2, "-w --workspace --prefix");
		if (k < c->argc && package_script(g, c, b, c->argv[k]))
			return true;
		return false;
	}
	if ((eq(b, "npm") || eq(b, "pnpm") || eq(b, "yarn") || eq(b, "bun")) &&
	    guard_alt_match("test t start stop restart", s) && package_script(g, c, b, eq(s, "t") ? "test" : s))
		return true;
	/* yarn NAME / pnpm NAME run a script when NAME is not one of their own commands */
	if ((eq(b, "yarn") || eq(b, "pnpm")) && s[0] != '-' &&
	    !guard_alt_match("add install i remove rm up upgrade update why info init create list ls link unlink "
			     "publish pack config cache audit outdated dlx exec import store workspace workspaces "
			     "global bin help version login logout", s) &&
	    package_script(g, c, b, s))
		return true;
	if ((eq(b, "bundle") || eq(b, "poetry") || eq(b, "pipenv") || eq(b, "uv") || eq(b, "pdm") || eq(b, "rye")) &&
	    (eq(s, "exec") || eq(s, "run"))) {
		i = 2;
		while (i < c->argc && c->argv[i][0] == '-')
			i++;
		wrapped(g, c, i, arena_printf(g->a, "%s %s", b, s));
		return true;
	}
	return false;
}

void guard_analyze(struct gctx *g, const struct gcmd *c)
{
	if (c->argc == 0)
		return;
	if (c->depth > GUARD_MAX_DEPTH) {
		guard_hit(g, c, "guard.too-deep", NULL);
		return;
	}
	if (dyn(c, 0)) {
		guard_note_cmd(g, c);
		if (c->more_args || (c->aflags[0] & GARG_RUNTIME))
			guard_hit(g, c, "guard.dynamic-command",
				  "The command to run comes from the input at run time.");
		else
			guard_hit(g, c, "guard.dynamic-command",
				  arena_printf(g->a, "The command name `%s` is only known at run time.", c->argv[0]));
		return;
	}
	const char *b = path_basename(c->argv[0]);
	const char *lang;
	if (eq(b, "sudo") || eq(b, "doas")) {
		if (eq(b, "doas")) {
			wrapped(g, c, skip_opts(c, 1, "-u -C"), "doas");
			return;
		}
		do_sudo(g, c);
		return;
	}
	if (eq(b, "env")) {
		do_env(g, c);
		return;
	}
	if (eq(b, "command")) {
		size_t i = 1;
		while (i < c->argc && c->argv[i][0] == '-') {
			if (eq(c->argv[i], "-v") || eq(c->argv[i], "-V"))
				return; /* only looks the name up */
			i++;
		}
		wrapped(g, c, i, "command");
		return;
	}
	if (eq(b, "builtin") || eq(b, "nohup") || eq(b, "caffeinate") || eq(b, "unbuffer")) {
		wrapped(g, c, c->argc > 1 && eq(c->argv[1], "--") ? 2 : 1, b);
		return;
	}
	if (eq(b, "exec")) {
		wrapped(g, c, skip_opts(c, 1, "-a"), "exec");
		return;
	}
	if (eq(b, "time")) {
		wrapped(g, c, skip_opts(c, 1, "-f --format -o --output"), "time");
		return;
	}
	if (eq(b, "nice")) {
		wrapped(g, c, skip_opts(c, 1, "-n --adjustment"), "nice");
		return;
	}
	if (eq(b, "ionice")) {
		for (size_t k = 1; k < c->argc; k++)
			if (eq(c->argv[k], "-p") || eq(c->argv[k], "-P") || eq(c->argv[k], "-u"))
				return; /* changes a running process */
		wrapped(g, c, skip_opts(c, 1, "-c -n --class --classdata"), "ionice");
		return;
	}
	if (eq(b, "timeout")) {
		do_timeout(g, c);
		return;
	}
	if (eq(b, "stdbuf")) {
		wrapped(g, c, skip_opts(c, 1, "-i -o -e"), "stdbuf");
		return;
	}
	if (eq(b, "watch")) {
		size_t i = 1;
		bool exec = false;
		while (i < c->argc && c->argv[i][0] == '-') {
			if (eq(c->argv[i], "-x") || eq(c->argv[i], "--exec"))
				exec = true;
			i += guard_alt_match("-n --interval -q --equexit -d", c->argv[i]) && !eq(c->argv[i], "-d") ? 2 : 1;
		}
		if (i >= c->argc)
			return;
		if (exec || i + 1 < c->argc)
			wrapped(g, c, i, "watch");
		else
			guard_analyze_text(g, c, "watch", c->argv[i]);
		return;
	}
	if (eq(b, "xargs")) {
		do_xargs(g, c);
		return;
	}
	if (eq(b, "parallel")) {
		do_parallel(g, c);
		return;
	}
	if (eq(b, "find")) {
		do_find(g, c);
		return;
	}
	if (eq(b, "sh") || eq(b, "bash") || eq(b, "zsh") || eq(b, "dash") || eq(b, "ksh") || eq(b, "ash") ||
	    eq(b, "mksh") || eq(b, "busybox") || eq(b, "fish")) {
		if (eq(b, "busybox")) {
			wrapped(g, c, 1, "busybox");
			return;
		}
		do_shell(g, c, b);
		return;
	}
	if (eq(b, "su")) {
		for (size_t k = 1; k + 1 < c->argc; k++) {
			if (eq(c->argv[k], "-c") || eq(c->argv[k], "--command")) {
				guard_analyze_text(g, c, "su -c", c->argv[k + 1]);
				return;
			}
		}
		guard_note_cmd(g, c);
		return;
	}
	if ((eq(b, "source") || eq(b, ".")) && c->argc > 1) {
		const char *text = c->remote ? NULL : guard_written(g, c->cwd, c->argv[1]);
		if (text) {
			guard_analyze_text(g, c, arena_printf(g->a, "%s %s (written by this command)", b, c->argv[1]), text);
			return;
		}
	}
	if (strchr(c->argv[0], '/') && !c->remote) {
		/* ./x.sh written by this same line */
		const char *text = guard_written(g, c->cwd, c->argv[0]);
		if (text) {
			guard_analyze_text(g, c, arena_printf(g->a, "%s (written by this command)", c->argv[0]), text);
			return;
		}
	}
	if (eq(b, "eval")) {
		if (c->argc > 1)
			guard_analyze_text(g, c, "eval", join_args(g, c, 1));
		return;
	}
	if (eq(b, "ssh")) {
		do_ssh(g, c);
		return;
	}
	if ((eq(b, "docker") || eq(b, "podman") || eq(b, "kubectl") || eq(b, "oc")) &&
	    do_exec_in(g, c, eq(b, "oc") ? "kubectl" : b))
		return;
	if (do_runner(g, c, b)) /* before the interpreters: "bun run x" is a runner, "bun -e" code */
		return;
	if (is_interp(b, &lang)) {
		do_interp(g, c, lang);
		return;
	}
	guard_note_cmd(g, c);
	guard_rules_run(g, c);
}
