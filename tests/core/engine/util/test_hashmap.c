/* Tests of the engine's hash map: byte keys (text and pointer arrays),
 * replacement, growth past many entries, iteration, shallow copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/util/hashmap.h"

static void test_put_get_replace_grow(void **state)
{
	(void)state;
	hashmap m = HASHMAP_INIT;
	assert_null(hashmap_get(&m, "a", 1));
	static char keys[5000][8];
	for (int i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_int_equal(hashmap_put(&m, keys[i], strlen(keys[i]), (void *)(uintptr_t)(i + 1)), 0);
	}
	assert_int_equal(m.n, 5000);
	for (int i = 0; i < 5000; i++)
		assert_int_equal((uintptr_t)hashmap_get(&m, keys[i], strlen(keys[i])), i + 1);
	/* the same bytes at another address find the entry */
	char probe[8] = "k4242";
	assert_int_equal((uintptr_t)hashmap_get(&m, probe, 5), 4243);
	assert_null(hashmap_get(&m, "k5000", 5));
	/* the length is part of the key: "k42" of "k4242" is the entry k42 */
	assert_int_equal((uintptr_t)hashmap_get(&m, probe, 3), 43);
	assert_int_equal(hashmap_put(&m, keys[7], strlen(keys[7]), NULL), 0);
	assert_int_equal(m.n, 5000);
	void *v = (void *)1;
	assert_true(hashmap_find(&m, "k7", 2, &v));
	assert_null(v);
	assert_false(hashmap_find(&m, "zz", 2, &v));
	size_t i = 0, len, seen = 0;
	const void *key;
	while (hashmap_next(&m, &i, &key, &len, &v))
		seen++;
	assert_int_equal(seen, 5000);
	hashmap c;
	assert_int_equal(hashmap_copy(&c, &m), 0);
	assert_int_equal((uintptr_t)hashmap_get(&c, "k1", 2), 2);
	assert_int_equal(hashmap_put(&c, "new", 3, (void *)9), 0);
	assert_null(hashmap_get(&m, "new", 3)); /* copies are independent */
	hashmap_free(&c);
	hashmap_free(&m);
	assert_int_equal(m.n, 0);
	assert_null(hashmap_get(&m, "k1", 2));
}

static void test_pointer_array_keys(void **state)
{
	(void)state;
	int a, b;
	const void *k1[] = {(void *)1, &a, &b}, *k2[] = {(void *)1, &b, &a}, *k3[] = {(void *)1, &a, &b};
	hashmap m = HASHMAP_INIT;
	assert_int_equal(hashmap_put(&m, k1, sizeof(k1), "one"), 0);
	assert_int_equal(hashmap_put(&m, k2, sizeof(k2), "two"), 0);
	assert_string_equal(hashmap_get(&m, k3, sizeof(k3)), "one");
	hashmap_free(&m);
}

/* Slots are picked by the hash's low bits, and keys made of aligned
 * pointers differ only in their middle bits: 1000 such keys must land on
 * about as many of 1024 slots as random hashes would (about 632). */
static void test_aligned_pointer_keys_spread(void **state)
{
	(void)state;
	static bool used[1024];
	size_t distinct = 0;
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t key = i << 12;
		size_t slot = (size_t)(hashmap_hash(&key, sizeof(key)) & 1023);
		distinct += !used[slot];
		used[slot] = true;
	}
	assert_true(distinct > 600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_replace_grow),
		cmocka_unit_test(test_pointer_array_keys),
		cmocka_unit_test(test_aligned_pointer_keys_spread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
