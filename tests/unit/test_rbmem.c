/* test_rbmem.c: the worker's Lua memory (engine/worker/rb_mem.c): big
 * blocks live in 2 MiB-aligned mappings of their own, keep their bytes
 * through every move (malloc to big, big to bigger, big back to malloc),
 * grow in place within their mapping, and a Lua state runs on it with
 * its main thread's stack reserve in malloc's heap, not a mapping. */
#include "unit.h"

#include <lauxlib.h>
#include <lualib.h>

#include "engine/worker/rb_mem.h"
#include "engine/worker/rb_sandbox.h"

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed);
}

static int
same(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 31 + seed))
			return 0;
	return 1;
}

static void
test_moves_keep_bytes(void **state)
{
	struct rb_mem m = { 0 };
	size_t small = 1000, big = RB_MEM_BIG + 12345;
	unsigned char *p, *q;

	(void)state;
	p = rb_mem_realloc(&m, NULL, 0, small);
	assert_non_null(p);
	fill(p, small, 1);
	assert_int_equal(m.nbig, 0);
	/* malloc's to big: the bytes come along, the block is mapped on a
	 * 2 MiB boundary */
	p = rb_mem_realloc(&m, p, small, big);
	assert_non_null(p);
	assert_int_equal(m.nbig, 1);
	assert_true(((uintptr_t)p & (((size_t)2 << 20) - 1)) == 0);
	assert_true(same(p, small, 1));
	fill(p, big, 2);
	/* within its mapping (whole 2 MiB units) it grows in place */
	q = rb_mem_realloc(&m, p, big, big + 100000);
	assert_ptr_equal(q, p);
	assert_true(same(q, big, 2));
	/* past it, it moves to a bigger mapping */
	p = rb_mem_realloc(&m, q, big + 100000, (size_t)5 << 20);
	assert_non_null(p);
	assert_int_equal(m.nbig, 1);
	assert_true(same(p, big, 2));
	/* back under RB_MEM_BIG: malloc's again, the mapping gone */
	q = rb_mem_realloc(&m, p, (size_t)5 << 20, small);
	assert_non_null(q);
	assert_int_equal(m.nbig, 0);
	assert_true(same(q, small, 2));
	assert_null(rb_mem_realloc(&m, q, small, 0));
	rb_mem_done(&m);
}

static void
test_many_big_blocks(void **state)
{
	struct rb_mem m = { 0 };
	void *p[RB_MEM_BIGS + 4];
	size_t n = RB_MEM_BIG;

	(void)state;
	/* more than the table holds: the extra ones are malloc's, and each
	 * is freed the right way */
	for (int i = 0; i < RB_MEM_BIGS + 4; i++) {
		p[i] = rb_mem_realloc(&m, NULL, 0, n);
		assert_non_null(p[i]);
		fill(p[i], n, (unsigned)i);
	}
	assert_int_equal(m.nbig, RB_MEM_BIGS);
	for (int i = 0; i < RB_MEM_BIGS + 4; i += 2) {
		assert_true(same(p[i], n, (unsigned)i));
		assert_null(rb_mem_realloc(&m, p[i], n, 0));
	}
	for (int i = 1; i < RB_MEM_BIGS + 4; i += 2) {
		assert_true(same(p[i], n, (unsigned)i));
		p[i] = rb_mem_realloc(&m, p[i], n, n * 3);
		assert_non_null(p[i]);
		assert_true(same(p[i], n, (unsigned)i));
		assert_null(rb_mem_realloc(&m, p[i], n * 3, 0));
	}
	assert_int_equal(m.nbig, 0);
	rb_mem_done(&m);
}

static void *
lua_on_mem(void *ud, void *ptr, size_t osize, size_t nsize)
{
	return rb_mem_realloc(ud, ptr, ptr == NULL ? 0 : osize, nsize);
}

static void
test_lua_state(void **state)
{
	struct rb_mem m = { 0 };
	lua_State *L = lua_newstate(lua_on_mem, &m);

	(void)state;
	assert_non_null(L);
	luaL_openlibs(L);
	/* the 1 MiB reserve rb_vm makes stays malloc's: in owl-worker that
	 * heap is in huge pages already (heap_huge), and a mapping of its
	 * own would cost a second 2 MiB page a run */
	assert_true(lua_checkstack(L, RB_SANDBOX_STACK_MAIN));
	assert_int_equal(m.nbig, 0);
	assert_int_equal(luaL_dostring(L,
	                     "local t = {} for i = 1, 200000 do t[i] = i end "
	                     "big = string.rep('x', 3000000) "
	                     "t = nil collectgarbage() "
	                     "assert(#big == 3000000)"),
	    LUA_OK);
	assert_true(m.nbig >= 1);
	lua_close(L);
	assert_int_equal(m.nbig, 0);
	rb_mem_done(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moves_keep_bytes),
		cmocka_unit_test(test_many_big_blocks),
		cmocka_unit_test(test_lua_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
