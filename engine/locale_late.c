/* locale_late.c: LC_CTYPE loaded when first needed (see locale_late.h). */
#include "locale_late.h"

#include <locale.h>
#include <stdatomic.h>

/* Set by main before any thread; taken once by the first library load. */
static atomic_int locale_late_pending;

void
locale_late_defer(void)
{
	atomic_store(&locale_late_pending, 1);
}

void
locale_late_load(void)
{
	if (atomic_exchange(&locale_late_pending, 0))
		setlocale(LC_CTYPE, "");
}
