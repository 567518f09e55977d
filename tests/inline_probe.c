/* SPDX-License-Identifier: MIT */
/*
 * tests/inline_probe.c - one function per inline fast path, compiled at -O2
 * by inline-check.sh, which checks that each calls nothing but its own slow
 * path (the fast path is inlined, and the slow path is out of line).
 */
#include <percpu/percpu.h>
void probe_counter_inc(struct percpu_counter *c) { _percpu_counter_inc(c); }
void probe_counter_add(struct percpu_counter *c, int64_t v) { _percpu_counter_add(c, v); }
void probe_list_push(struct percpu_list *l, struct percpu_list_node *n) { _percpu_list_push(l, n); }
struct percpu_list_node *probe_list_pop(struct percpu_list *l) { return _percpu_list_pop(l); }
int probe_buffer_push(struct percpu_buffer *b, void *p) { return _percpu_buffer_push(b, p); }
void *probe_buffer_pop(struct percpu_buffer *b) { return _percpu_buffer_pop(b); }
int probe_ring_write(struct percpu_ring *r, const void *rec) { return _percpu_ring_write(r, 1, rec, 24); }
int probe_ring_write_var(struct percpu_ring *r, const void *p, size_t n) { return _percpu_ring_write(r, 2, p, n); }
int probe_slab_push(struct percpu_slab *s, unsigned int c, void *p) { return _percpu_slab_push(s, c, p); }
void *probe_slab_pop(struct percpu_slab *s, unsigned int c) { return _percpu_slab_pop(s, c); }
ssize_t probe_slab_push_batch(struct percpu_slab *s, unsigned int c, void *const *p, size_t n) { return _percpu_slab_push_batch(s, c, p, n); }
ssize_t probe_slab_pop_batch(struct percpu_slab *s, unsigned int c, void **p, size_t n) { return _percpu_slab_pop_batch(s, c, p, n); }
void probe_loop(struct percpu_counter *c, long n) { for (long i = 0; i < n; i++) _percpu_counter_inc(c); }

/*
 * Each operation used several times in one function, as a benchmark or an
 * allocator does: where gcc weighs inlining against size, this is where it
 * kept fast paths out of line.
 */
void probe_many(struct percpu_list *l, struct percpu_buffer *b, struct percpu_ring *r,
		struct percpu_counter *c, struct percpu_list_node *n, long k)
{
	for (long i = 0; i < k; i++) {
		struct percpu_list_node *x;
		void *p;

		_percpu_list_push(l, n);
		x = _percpu_list_pop(l);
		if (x)
			_percpu_list_push(l, x);
		x = _percpu_list_pop(l);
		if (_percpu_buffer_push(b, n) == 0) {
			p = _percpu_buffer_pop(b);
			if (p)
				_percpu_buffer_push(b, p);
			p = _percpu_buffer_pop(b);
			(void)p;
		}
		_percpu_ring_write(r, 1, &k, sizeof(k));
		_percpu_ring_write(r, 1, &i, sizeof(i));
		_percpu_counter_add(c, (int64_t)i);
		_percpu_counter_inc(c);
	}
}
