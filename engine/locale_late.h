/* locale_late.h: the character locale (LC_CTYPE) loaded when a library
 * that may use it is first loaded, for the commands that do not use it
 * themselves (tui/main.c decides). owl's own output of such a command is
 * bytes (sanitize.h), its messages untranslated (LC_MESSAGES is C or
 * C.UTF-8); but libcurl converts an international host name to ASCII in
 * the locale's character set (under C it refuses "bücher.example"), and
 * libpq's client_encoding "auto" reads it. Loading C.UTF-8's LC_CTYPE
 * costs every process ~0.5 ms of CPU (a 350 KiB file, gconv's cache). */
#ifndef OWL_LOCALE_LATE_H
#define OWL_LOCALE_LATE_H

/* Marks LC_CTYPE as not loaded yet: locale_late_load() loads it. Called
 * once, from main, before any thread. */
void locale_late_defer(void);

/* Loads LC_CTYPE from the environment (setlocale(LC_CTYPE, "")) if
 * locale_late_defer() left it for later, once; nothing otherwise. Called
 * before a shared library is opened (integrations/lazy.c, libpq). */
void locale_late_load(void);

#endif
