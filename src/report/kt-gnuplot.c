/* SPDX-License-Identifier: EUPL-1.2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kt-gnuplot.h"
#include "util/kt-log.h"

extern char **environ;

#define MARKER "@@KT-CHART "

enum chart_state { CHART_PENDING, CHART_OK, CHART_FAILED };

struct chart {
	char *path, *tmp_path;
	enum chart_state state;
	char *reason;        /* why it failed (owned), NULL if ok */
};

struct kt_gnuplot {
	char *program;
	char *base;          /* messages name charts relative to it */
	pid_t pid;           /* 0 if not running */
	int spawn_error;     /* -errno if gnuplot could not be started */
	FILE *in;            /* commands; /dev/null if not running */
	FILE *out;           /* gnuplot's stdout+stderr (unlinked temp file) */
	struct sigaction old_sigpipe;
	bool sigpipe_saved;
	struct chart *charts;
	size_t n_charts, cap_charts;
	bool in_chart;
	bool finished;
};

void
kt_gnuplot_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static int
spawn(struct kt_gnuplot *g)
{
	posix_spawn_file_actions_t fa;
	int fds[2], r;
	char *argv[] = { g->program, NULL };

	g->out = tmpfile();
	if (!g->out)
		return -errno;
	(void) fcntl(fileno(g->out), F_SETFD, FD_CLOEXEC);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;

	r = posix_spawn_file_actions_init(&fa);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, fileno(g->out), STDOUT_FILENO);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, fileno(g->out), STDERR_FILENO);
	if (r == 0)
		r = posix_spawnp(&g->pid, g->program, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (r != 0) {
		g->pid = 0;
		close(fds[1]);
		return -r;
	}
	g->in = fdopen(fds[1], "w");
	if (!g->in) {
		r = -errno;
		close(fds[1]);
		return r;
	}
	setvbuf(g->in, NULL, _IOFBF, 1 << 16);
	return 0;
}

static bool
executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int
kt_gnuplot_findable(const char *program, char *why, size_t n)
{
	const char *prog = program && *program ? program : "gnuplot", *path = getenv("PATH");

	if (strchr(prog, '/')) {
		if (executable_file(prog))
			return 0;
		snprintf(why, n, "%s", access(prog, F_OK) == 0 ? "not an executable file" : "no such file");
		return access(prog, F_OK) == 0 ? -EACCES : -ENOENT;
	}
	/* as execvp() searches: empty entries are the current folder */
	for (const char *p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";; ) {
		const char *e = strchr(p, ':');
		size_t len = e ? (size_t) (e - p) : strlen(p);
		char *cand;

		if (asprintf(&cand, "%.*s%s%s", (int) len, len ? p : ".", "/", prog) >= 0) {
			bool ok = executable_file(cand);

			free(cand);
			if (ok)
				return 0;
		}
		if (!e)
			break;
		p = e + 1;
	}
	snprintf(why, n, "not found on PATH (Debian: apt-get install gnuplot-nox)");
	return -ENOENT;
}

int
kt_gnuplot_open(const char *program, struct kt_gnuplot **ret)
{
	struct kt_gnuplot *g;
	struct sigaction ign = { .sa_handler = SIG_IGN };

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->program = strdup(program && *program ? program : "gnuplot");
	if (!g->program) {
		free(g);
		return -ENOMEM;
	}
	/* A gnuplot that dies must not kill us: writes then fail with EPIPE. */
	if (sigaction(SIGPIPE, &ign, &g->old_sigpipe) == 0)
		g->sigpipe_saved = true;

	g->spawn_error = spawn(g);
	if (g->spawn_error < 0) {
		log_debug_errno(g->spawn_error, "cannot start %s: %m", g->program);
		g->in = fopen("/dev/null", "we");
		if (!g->in) {
			kt_gnuplot_free(g);
			return -ENOMEM;
		}
	}
	/* Our data is always C-locale text; labels are UTF-8 and taken
	 * literally (no enhanced-text markup in player names). */
	fputs("set encoding utf8\nset termoption noenhanced\n", g->in);
	*ret = g;
	return 0;
}

int
kt_gnuplot_set_base(struct kt_gnuplot *g, const char *dir)
{
	char *b = strdup(dir);

	if (!b)
		return -ENOMEM;
	free(g->base);
	g->base = b;
	return 0;
}

static const char *
rel_path(const struct kt_gnuplot *g, const char *path)
{
	size_t n = g->base ? strlen(g->base) : 0;

	if (n && !strncmp(path, g->base, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

FILE *
kt_gnuplot_stream(struct kt_gnuplot *g)
{
	return g->in;
}

void
kt_gnuplot_begin(struct kt_gnuplot *g, const char *path, const char *terminal)
{
	struct chart *c;

	if (g->in_chart)
		kt_gnuplot_end(g);
	if (g->n_charts == g->cap_charts) {
		size_t cap = g->cap_charts ? g->cap_charts * 2 : 64;
		struct chart *n = realloc(g->charts, cap * sizeof(*n));
		if (!n)
			return; /* not registered: counted as nothing; caller's OOM is rare */
		g->charts = n;
		g->cap_charts = cap;
	}
	c = &g->charts[g->n_charts];
	*c = (struct chart){ .path = strdup(path) };
	if (!c->path || asprintf(&c->tmp_path, "%s.part", path) < 0) {
		free(c->path);
		return;
	}
	g->n_charts++;
	g->in_chart = true;

	/* noenhanced: names like "O'Brien & Sohn" or "M_1" are shown as written */
	fprintf(g->in, "reset\nset terminal %s noenhanced\nset output ", terminal);
	kt_gnuplot_quote(g->in, c->tmp_path);
	fputc('\n', g->in);
}

void
kt_gnuplot_end(struct kt_gnuplot *g)
{
	if (!g->in_chart)
		return;
	g->in_chart = false;
	/* "unset output" closes the file; an error of `set output` is caught
	 * too because GPVAL_ERRNO stays set until `reset errors`. */
	fprintf(g->in,
		"unset multiplot\nset output\n"
		"print sprintf(\"\\n" MARKER "%zu %%d %%s\", GPVAL_ERRNO, GPVAL_ERRMSG)\n"
		"reset errors\n",
		g->n_charts - 1);
}

static char *
read_all(FILE *f, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (fseek(f, 0, SEEK_SET) < 0)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap ? cap * 2 : 16384);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap = cap ? cap * 2 : 16384;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

/* The last non-empty line gnuplot printed that is not a marker: usually
 * the reason it stopped. */
static void
last_message(const char *log, size_t len, char *buf, size_t size)
{
	const char *end = log + len, *p, *line_start;

	buf[0] = '\0';
	while (end > log) {
		while (end > log && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
			end--;
		if (end == log)
			return;
		line_start = end;
		while (line_start > log && line_start[-1] != '\n')
			line_start--;
		if (strncmp(line_start, MARKER, strlen(MARKER)) != 0) {
			size_t n = (size_t) (end - line_start);
			for (p = line_start; p < end && (*p == ' ' || *p == '\t'); p++)
				n--;
			if (n >= size)
				n = size - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return;
		}
		end = line_start;
	}
}

static void
parse_markers(struct kt_gnuplot *g, const char *log, size_t len)
{
	const char *p = log, *end = log + len;

	while (p < end) {
		const char *m = memmem(p, (size_t) (end - p), MARKER, strlen(MARKER));
		const char *eol, *msg;
		char *e;
		unsigned long idx;
		long err;

		if (!m)
			break;
		m += strlen(MARKER);
		eol = memchr(m, '\n', (size_t) (end - m));
		if (!eol)
			eol = end;
		p = eol;
		idx = strtoul(m, &e, 10);
		if (e == m || *e != ' ')
			continue;
		err = strtol(e + 1, &e, 10);
		msg = (e < eol && *e == ' ') ? e + 1 : e;
		if (idx >= g->n_charts)
			continue;
		if (err == 0) {
			g->charts[idx].state = CHART_OK;
		} else {
			g->charts[idx].state = CHART_FAILED;
			free(g->charts[idx].reason);
			if (asprintf(&g->charts[idx].reason, "gnuplot error: %.*s",
				     (int) (eol - msg), msg) < 0)
				g->charts[idx].reason = NULL;
		}
	}
}

/* A PNG must end with its IEND chunk, a PDF with %%EOF: anything else was
 * cut short (a full disk does not always make gnuplot report an error). */
static bool
output_complete(const char *tmp_path, const char *path)
{
	char tail[1024];
	size_t n, len = strlen(path);
	FILE *f = fopen(tmp_path, "rbe");
	bool ok = false;

	if (!f)
		return false;
	if (fseek(f, -(long) sizeof(tail), SEEK_END) < 0)
		rewind(f);
	n = fread(tail, 1, sizeof(tail), f);
	fclose(f);
	if (len > 4 && !strcmp(path + len - 4, ".png"))
		ok = n >= 12 && !memcmp(tail + n - 8, "IEND", 4);
	else if (len > 4 && !strcmp(path + len - 4, ".pdf"))
		ok = memmem(tail, n, "%%EOF", 5) != NULL;
	else
		ok = n > 0;
	return ok;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* One message per distinct reason; many charts with the same reason are
 * summarised by file name ("heatmap.png x25"). */
static void
log_failures(struct kt_gnuplot *g, int n_failed)
{
	bool *done = calloc(g->n_charts, sizeof(bool));

	if (!done) {
		log_error("%d charts missing", n_failed);
		return;
	}
	for (size_t i = 0; i < g->n_charts; i++) {
		const char *reason = g->charts[i].reason;
		char *list = NULL;
		size_t list_len = 0, count = 0;
		FILE *lf;

		if (g->charts[i].state == CHART_OK || done[i])
			continue;
		for (size_t j = i; j < g->n_charts; j++)
			if (g->charts[j].state != CHART_OK && !done[j] &&
			    !strcmp(g->charts[j].reason, reason))
				count++;
		lf = open_memstream(&list, &list_len);
		if (!lf)
			break;
		if (count <= 3) {
			for (size_t j = i; j < g->n_charts; j++) {
				if (g->charts[j].state == CHART_OK || done[j] ||
				    strcmp(g->charts[j].reason, reason))
					continue;
				fprintf(lf, "%s%s", ftell(lf) ? ", " : "", rel_path(g, g->charts[j].path));
				done[j] = true;
			}
		} else {
			for (size_t j = i; j < g->n_charts; j++) {
				const char *b;
				size_t same = 0;

				if (g->charts[j].state == CHART_OK || done[j] ||
				    strcmp(g->charts[j].reason, reason))
					continue;
				b = base_name(g->charts[j].path);
				for (size_t k = j; k < g->n_charts; k++)
					if (g->charts[k].state != CHART_OK && !done[k] &&
					    !strcmp(g->charts[k].reason, reason) &&
					    !strcmp(base_name(g->charts[k].path), b)) {
						done[k] = true;
						same++;
					}
				if (same > 1) {
					/* players/V01/heatmap.png -> players/ * /heatmap.png x25 */
					const char *r = rel_path(g, g->charts[j].path), *sl = strchr(r, '/');
					if (sl && sl != strrchr(r, '/'))
						fprintf(lf, "%s%.*s/*/%s x%zu", ftell(lf) ? ", " : "",
							(int) (sl - r), r, b, same);
					else
						fprintf(lf, "%s%s x%zu", ftell(lf) ? ", " : "", b, same);
				}
				else
					fprintf(lf, "%s%s", ftell(lf) ? ", " : "", rel_path(g, g->charts[j].path));
			}
		}
		fclose(lf);
		log_error("%zu chart%s missing%s%s (%s): %s", count, count == 1 ? "" : "s",
			  g->base ? " in " : "", g->base ? g->base : "", reason, list ? list : "");
		free(list);
	}
	free(done);
}

int
kt_gnuplot_finish(struct kt_gnuplot *g)
{
	char *log = NULL, last[256] = "", why[512];
	size_t log_len = 0;
	int status = 0, n_failed = 0;
	bool first = !g->finished;

	if (!first)
		goto count;
	g->finished = true;
	if (g->in_chart)
		kt_gnuplot_end(g);
	fputs("exit\n", g->in);
	if (g->in) {
		fclose(g->in);
		g->in = NULL;
	}
	if (g->pid > 0) {
		while (waitpid(g->pid, &status, 0) < 0 && errno == EINTR)
			;
		g->pid = 0;
	}
	if (g->out) {
		log = read_all(g->out, &log_len);
		if (log) {
			parse_markers(g, log, log_len);
			last_message(log, log_len, last, sizeof(last));
			log_debug("gnuplot said:\n%s", log);
		}
	}

	if (g->spawn_error < 0) {
		errno = -g->spawn_error;
		snprintf(why, sizeof(why), "cannot run '%s': %m", g->program);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(why, sizeof(why), "cannot run '%s'%s%s", g->program,
			 last[0] ? ": " : "", last);
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "'%s' was killed: %s", g->program,
			 strsignal(WTERMSIG(status)));
	else
		snprintf(why, sizeof(why), "'%s' stopped before drawing it (exit status %d%s%s)",
			 g->program, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			 last[0] ? ": " : "", last);

	for (size_t i = 0; i < g->n_charts; i++) {
		struct chart *c = &g->charts[i];
		struct stat st;

		if (c->state == CHART_PENDING) {
			c->state = CHART_FAILED;
			c->reason = strdup(why);
		} else if (c->state == CHART_OK &&
			   (stat(c->tmp_path, &st) < 0 || st.st_size == 0)) {
			c->state = CHART_FAILED;
			c->reason = strdup("gnuplot wrote no output");
		} else if (c->state == CHART_OK && !output_complete(c->tmp_path, c->path)) {
			c->state = CHART_FAILED;
			c->reason = strdup("gnuplot's output is incomplete (disk full?)");
		}
		if (c->state == CHART_OK && rename(c->tmp_path, c->path) < 0) {
			c->state = CHART_FAILED;
			if (asprintf(&c->reason, "cannot rename %s: %s", c->tmp_path,
				     strerror(errno)) < 0)
				c->reason = NULL;
		}
		if (c->state == CHART_FAILED) {
			if (!c->reason)
				c->reason = strdup("unknown error");
			if (!c->reason) /* OOM: keep going with a static text */
				c->reason = strdup("?");
			(void) unlink(c->tmp_path);
			/* an older chart would show data of an earlier run */
			(void) unlink(c->path);
		}
	}
	free(log);
	if (g->sigpipe_saved) {
		sigaction(SIGPIPE, &g->old_sigpipe, NULL);
		g->sigpipe_saved = false;
	}

count:
	for (size_t i = 0; i < g->n_charts; i++)
		if (g->charts[i].state != CHART_OK)
			n_failed++;
	if (n_failed > 0 && first)
		log_failures(g, n_failed);
	return n_failed;
}

const char *
kt_gnuplot_first_failure(const struct kt_gnuplot *g)
{
	for (size_t i = 0; i < g->n_charts; i++)
		if (g->charts[i].state != CHART_OK && g->charts[i].reason)
			return g->charts[i].reason;
	return NULL;
}

bool
kt_gnuplot_chart_ok(const struct kt_gnuplot *g, const char *path)
{
	for (size_t i = 0; i < g->n_charts; i++)
		if (!strcmp(g->charts[i].path, path))
			return g->charts[i].state == CHART_OK;
	return false;
}

struct kt_gnuplot *
kt_gnuplot_free(struct kt_gnuplot *g)
{
	if (!g)
		return NULL;
	if (g->in)
		fclose(g->in);
	if (g->pid > 0)
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (g->out)
		fclose(g->out);
	if (g->sigpipe_saved)
		sigaction(SIGPIPE, &g->old_sigpipe, NULL);
	for (size_t i = 0; i < g->n_charts; i++) {
		free(g->charts[i].path);
		free(g->charts[i].tmp_path);
		free(g->charts[i].reason);
	}
	free(g->charts);
	free(g->program);
	free(g->base);
	free(g);
	return NULL;
}
