/* fuzz_rbmeta.c: libFuzzer harness for the runbook declaration parser
 * (engine/rbmeta.c: the runbook{} table read by evaluating the file in a
 * minimal Lua state with budgets) and the declaration's check and params
 * (engine/rb_run.c rb_run_params), which read files anyone who can push
 * to the runbook repository writes. The input is a runbook's source.
 * rbmeta_eval must give a declaration, nothing (a module) or an error
 * that says what is wrong; never crash, leak or run past its budget.
 * Built and seeded (runbooks/NAME.lua) by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>

#include "engine/rb_run.h"
#include "engine/rbmeta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *meta = NULL, *params = NULL, *given;
	struct err err;

	err_init(&err);
	if (rbmeta_eval("fuzz", (const char *)data, size, NULL, &meta, &err) ==
	    -1) {
		if (err.msg[0] == '\0' || meta != NULL)
			__builtin_trap(); /* an error says what is wrong */
		return 0;
	}
	if (meta == NULL)
		return 0; /* a module */
	if (!json_is_object(meta))
		__builtin_trap();
	given = json_pack("{s:s}", "reason", "fuzz");
	err_init(&err);
	if (rb_run_params(meta, given, &params, &err) == -1 &&
	    err.msg[0] == '\0')
		__builtin_trap();
	json_decref(params);
	json_decref(given);
	json_decref(meta);
	return 0;
}
