/* owl-keys-md: prints the key table of `owl tui` (tui/keys.c) as the
 * Markdown table of README.md "## The TUI"; tests/72-readme-keys.t
 * checks that the README matches, so the documentation cannot drift from
 * the keys. Not installed. */
#include <stdio.h>
#include <string.h>

#include "tui/keys.c"

int
main(void)
{
	static const char *const views[] = { "incidents", "incident", "log",
		"help", "runs", "run" };
	char names[64], where[64];

	printf("| keys | screens | what it does |\n|---|---|---|\n");
	for (size_t i = 0; i < keys_count; i++) {
		const struct keys_binding *b = &keys_table[i];

		keys_names(b, names, sizeof names);
		where[0] = '\0';
		for (unsigned k = 0; k < 6; k++)
			if (b->views == KEYS_V_ALL) {
				snprintf(where, sizeof where, "all");
				break;
			} else if (b->views & (1u << k)) {
				snprintf(where + strlen(where),
				    sizeof where - strlen(where), "%s%s",
				    where[0] ? ", " : "", views[k]);
			}
		printf("| `%s` | %s | ", names, where);
		for (const char *h = b->help; *h; h++)
			fputs(*h == '|' ? "\\|" : (char[]){ *h, 0 }, stdout);
		printf("%s |\n",
		    (b->flags & KEYS_WRITES) ? " (off with `--readonly`)" : "");
	}
	return 0;
}
