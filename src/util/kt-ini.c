/* SPDX-License-Identifier: EUPL-1.2 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kt-fileio.h"
#include "kt-ini.h"
#include "kt-log.h"
#include "kt-strutil.h"

/* No control bytes but tabs, and valid UTF-8 */
static bool
text_line(const char *s)
{
	for (const char *p = s; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			return false;
	return kt_utf8_valid(s, strlen(s));
}

int
kt_ini_parse_quiet(const char *path, kt_ini_cb cb, void *userdata, struct kt_ini_error *err)
{
	char *data, *line, *save = NULL;
	char section[128] = "", esc[100];
	unsigned lineno = 0;
	int r;

	*err = (struct kt_ini_error) { 0 };
	r = kt_read_text_file(path, 1 << 20, &data, NULL);
	if (r == -EMEDIUMTYPE) {
		snprintf(err->what, sizeof(err->what), "binary data, not a text file of '[section]' and "
			 "'key = value' lines (the wrong file?)");
		return r;
	}
	if (r < 0) {
		err->unreadable = true;
		snprintf(err->what, sizeof(err->what), "%s", kt_read_file_error(r));
		return r;
	}

	/* strtok_r would skip empty lines and break the numbering: split by hand */
	for (line = data; line; line = save) {
		char *nl = strchr(line, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		kt_strip(line);
		if (!*line || *line == '#' || *line == ';')
			continue;
		/* what the callbacks get (and may quote) is text */
		if (!text_line(line)) {
			err->line = lineno;
			snprintf(err->what, sizeof(err->what), "%s: '%s'",
				 kt_utf8_valid(line, strlen(line)) ? "control characters in a line"
								   : "not valid UTF-8 (save the file as UTF-8)",
				 kt_escape(esc, sizeof(esc), line));
			free(data);
			return -EBADMSG;
		}
		if (*line == '[') {
			char *end = strchr(line, ']');
			if (!end || end[1]) {
				err->line = lineno;
				snprintf(err->what, sizeof(err->what), "malformed section header '%s'",
					 kt_escape(esc, sizeof(esc), line));
				free(data);
				return -EBADMSG;
			}
			*end = '\0';
			snprintf(section, sizeof(section), "%s", kt_strip(line + 1));
			continue;
		}
		char *eq = strchr(line, '=');
		if (!eq) {
			err->line = lineno;
			snprintf(err->what, sizeof(err->what), "expected 'key = value', got '%s'",
				 kt_escape(esc, sizeof(esc), line));
			free(data);
			return -EBADMSG;
		}
		*eq = '\0';
		char *key = kt_strip(line), *value = kt_strip(eq + 1);
		if (!*key) {
			err->line = lineno;
			snprintf(err->what, sizeof(err->what), "empty key");
			free(data);
			return -EBADMSG;
		}
		r = cb(path, lineno, section, key, value, userdata);
		if (r < 0) {
			free(data);
			return r;
		}
	}
	free(data);
	return 0;
}

int
kt_ini_parse(const char *path, kt_ini_cb cb, void *userdata)
{
	struct kt_ini_error err;
	int r = kt_ini_parse_quiet(path, cb, userdata, &err);

	/* (a callback's own error is logged by the callback: err is empty) */
	if (r >= 0 || !err.what[0])
		return r;
	if (err.unreadable)
		log_error("cannot read %s: %s", path, err.what);
	else if (err.line)
		log_error("%s:%u: %s", path, err.line, err.what);
	else
		log_error("%s: %s", path, err.what);
	return r;
}
