/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The migration byte stream, the field-table engine and the whole stream
 * (sections, RAM): exact wire bytes, versions, subsections, hostile
 * counts, and truncation at every byte offset.
 */
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "migration/qemu-file.h"
#include "migration/ram.h"
#include "migration/savevm.h"
#include "migration/vmstate.h"

/* ---- qemu-file ---- */

static void test_file_round_trip(void)
{
    QEMUFile *out = qemu_file_new_mem_output();
    const uint8_t *data;
    size_t len;
    QEMUFile *in;
    uint8_t buf[3];

    qemu_put_byte(out, 0xab);
    qemu_put_be16(out, 0x1234);
    qemu_put_be32(out, 0xdeadbeef);
    qemu_put_be64(out, 0x0102030405060708ULL);
    qemu_put_buffer(out, "xyz", 3);
    data = qemu_file_mem_data(out, &len);
    g_assert_cmpuint(len, ==, 1 + 2 + 4 + 8 + 3);
    /* Big-endian on the wire. */
    g_assert_cmpmem(data, 7, "\xab\x12\x34\xde\xad\xbe\xef", 7);
    g_assert_cmpuint(qemu_file_transferred(out), ==, 18);

    in = qemu_file_new_mem_input(data, len);
    g_assert_cmpint(qemu_peek_byte(in, 0), ==, 0xab);
    g_assert_cmpint(qemu_peek_byte(in, 1), ==, 0x12);
    g_assert_cmpuint(qemu_get_byte(in), ==, 0xab);
    g_assert_cmphex(qemu_get_be16(in), ==, 0x1234);
    g_assert_cmphex(qemu_get_be32(in), ==, 0xdeadbeef);
    g_assert_cmphex(qemu_get_be64(in), ==, 0x0102030405060708ULL);
    qemu_get_buffer(in, buf, 3);
    g_assert_cmpmem(buf, 3, "xyz", 3);
    g_assert_cmpint(qemu_file_get_error(in), ==, 0);
    /* Peeking past the end does not make an error... */
    g_assert_cmpint(qemu_peek_byte(in, 0), ==, -1);
    g_assert_cmpint(qemu_file_get_error(in), ==, 0);
    /* ...reading does, sticky, and reads give 0. */
    g_assert_cmpuint(qemu_get_be32(in), ==, 0);
    g_assert_cmpint(qemu_file_get_error(in), <, 0);
    qemu_file_set_error(in, -5, "second error");
    {
        Error *err = NULL;
        g_assert(!qemu_file_check_error(in, &err));
        g_assert(strstr(error_get_pretty(err), "ended unexpectedly"));
        error_free(err);
    }
    g_assert_cmpint(qemu_fclose(in), <, 0);
    g_assert_cmpint(qemu_fclose(out), ==, 0);
}

static void test_file_fd(void)
{
    int p[2];
    QEMUFile *out, *in;
    uint8_t big[100000];

    g_assert_cmpint(pipe(p), ==, 0);
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = i * 13;
    }
    /* Small enough for the pipe buffer only if flushed in pieces: write
     * from a thread-free test by sizing below the pipe capacity. */
    out = qemu_file_new_fd_output(p[1]);
    qemu_put_be32(out, 42);
    qemu_put_buffer(out, big, 60000);
    g_assert_cmpint(qemu_fclose(out), ==, 0);
    in = qemu_file_new_fd_input(p[0]);
    g_assert_cmpuint(qemu_get_be32(in), ==, 42);
    {
        uint8_t back[60000];
        qemu_get_buffer(in, back, sizeof(back));
        g_assert_cmpmem(back, sizeof(back), big, sizeof(back));
    }
    g_assert_cmpint(qemu_peek_byte(in, 0), ==, -1);
    qemu_get_byte(in);
    g_assert_cmpint(qemu_fclose(in), <, 0);
}

/* ---- vmstate ---- */

typedef struct Inner {
    uint16_t a;
    uint32_t b;
} Inner;

typedef struct Dev {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    int64_t i64;
    bool flag;
    uint8_t mac[6];
    uint32_t v2_only; /* from version 2 */
    bool has_opt;
    uint32_t opt; /* only when has_opt */
    Inner inner;
    uint32_t n;
    uint16_t arr[4]; /* n of them */
    uint32_t nmacs;
    uint8_t macs[3][6];
    uint8_t custom; /* saved as two bytes: value, ~value */
    bool want_sub;
    uint64_t sub_val;
} Dev;

static const VMStateDescription vmstate_inner = {
    .name = "inner",
    .version_id = 1,
    .fields =
        (const VMStateField[]){
            VMSTATE_UINT16(a, Inner),
            VMSTATE_UINT32(b, Inner),
            VMSTATE_END_OF_LIST,
        },
};

static bool opt_exists(void *opaque, int version_id)
{
    return ((Dev *)opaque)->has_opt;
}

static bool custom_put(QEMUFile *f, void *opaque, void *ptr,
                       const VMStateField *field, Error **errp)
{
    uint8_t v = *(uint8_t *)ptr;
    qemu_put_byte(f, v);
    qemu_put_byte(f, ~v);
    return true;
}

static bool custom_get(QEMUFile *f, void *opaque, void *ptr,
                       const VMStateField *field, Error **errp)
{
    uint8_t v = qemu_get_byte(f), check = qemu_get_byte(f);
    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if ((uint8_t)~v != check) {
        error_setg(errp, "check byte 0x%02x does not match", check);
        return false;
    }
    *(uint8_t *)ptr = v;
    return true;
}

static const VMStateInfo custom_info = {
    .name = "checked-byte",
    .get = custom_get,
    .put = custom_put,
};

static bool sub_needed(void *opaque)
{
    return ((Dev *)opaque)->want_sub;
}

static int post_load_calls;

static bool dev_post_load(void *opaque, int version_id, Error **errp)
{
    post_load_calls++;
    return true;
}

static const VMStateDescription vmstate_dev_sub = {
    .name = "dev/sub",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = sub_needed,
    .fields =
        (const VMStateField[]){
            VMSTATE_UINT64(sub_val, Dev),
            VMSTATE_END_OF_LIST,
        },
};

static const VMStateDescription vmstate_dev = {
    .name = "dev",
    .version_id = 2,
    .minimum_version_id = 1,
    .post_load = dev_post_load,
    .fields =
        (const VMStateField[]){
            VMSTATE_UINT8(u8, Dev),
            VMSTATE_UINT16(u16, Dev),
            VMSTATE_UINT32(u32, Dev),
            VMSTATE_UINT64(u64, Dev),
            VMSTATE_INT32(i32, Dev),
            VMSTATE_INT64(i64, Dev),
            VMSTATE_BOOL(flag, Dev),
            VMSTATE_BUFFER(mac, Dev),
            VMSTATE_UINT32_V(v2_only, Dev, 2),
            VMSTATE_BOOL(has_opt, Dev),
            {.name = "opt",
             .kind = VMS_U32,
             .offset = offsetof(Dev, opt),
             .size = 4,
             .exists = opt_exists},
            VMSTATE_STRUCT(inner, Dev, vmstate_inner),
            VMSTATE_UINT32(n, Dev),
            VMSTATE_VARRAY(arr, Dev, VMS_U16, n, VMS_U32),
            VMSTATE_UINT32(nmacs, Dev),
            {.name = "macs",
             .kind = VMS_ARRAY,
             .offset = offsetof(Dev, macs),
             .size = 6,
             .elem = VMS_BUFFER,
             .elem_size = 6,
             .count_kind = VMS_U32,
             .count_offset = offsetof(Dev, nmacs),
             .max = 3,
             .oversize = VMS_OVERSIZE_SKIP},
            VMSTATE_CUSTOM(custom, Dev, custom_info),
            VMSTATE_BOOL(want_sub, Dev),
            VMSTATE_END_OF_LIST,
        },
    .subsections =
        (const VMStateDescription *const[]){
            &vmstate_dev_sub,
            NULL,
        },
};

static Dev sample(void)
{
    Dev d = {
        .u8 = 0x81,
        .u16 = 0x8283,
        .u32 = 0x84858687,
        .u64 = 0x88898a8b8c8d8e8fULL,
        .i32 = -2,
        .i64 = -3,
        .flag = true,
        .mac = {0x52, 0x54, 0, 0x12, 0x34, 0x56},
        .v2_only = 0x22,
        .has_opt = true,
        .opt = 0x0b0b,
        .inner = {0x1a1a, 0x1b1b1b1b},
        .n = 3,
        .arr = {1, 2, 3},
        .nmacs = 2,
        .macs = {{1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2}},
        .custom = 0x5c,
        .want_sub = true,
        .sub_val = 0x5050,
    };
    return d;
}

static uint8_t *save_dev(Dev *d, size_t *len, json_t *desc)
{
    QEMUFile *f = qemu_file_new_mem_output();
    const uint8_t *data;
    uint8_t *copy;

    g_assert(vmstate_save(f, &vmstate_dev, d, desc, &error_abort));
    data = qemu_file_mem_data(f, len);
    copy = g_memdup2(data, *len);
    qemu_fclose(f);
    return copy;
}

static bool load_dev(const uint8_t *data, size_t len, Dev *d, int version,
                     Error **errp)
{
    QEMUFile *f = qemu_file_new_mem_input(data, len);
    bool ok = vmstate_load(f, &vmstate_dev, d, version, errp);

    /* Everything was consumed when the load succeeded. */
    if (ok) {
        g_assert_cmpint(qemu_peek_byte(f, 0), ==, -1);
    }
    qemu_fclose(f);
    return ok;
}

static void test_vmstate_wire(void)
{
    Dev d = sample(), back = {0};
    static const uint8_t expect[] = {
        0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,       /* u8 u16 u32 */
        0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, /* u64 */
        0xff, 0xff, 0xff, 0xfe,                         /* i32 */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd, /* i64 */
        0x01,                                           /* flag */
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56,             /* mac */
        0x00, 0x00, 0x00, 0x22,                         /* v2_only */
        0x01, 0x00, 0x00, 0x0b, 0x0b,                   /* opt */
        0x1a, 0x1a, 0x1b, 0x1b, 0x1b, 0x1b,             /* inner */
        0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00,
        0x00, 0x00, 0x02, 1,    1,    1,    1,    1,    1,    2,    2,
        2,    2,    2,    2,    0x5c, 0xa3, /* custom */
        0x01,                               /* want_sub */
        0x05, 7,    'd',  'e',  'v',  '/',  's',  'u',  'b',  0,    0,
        0,    1,    0,    0,    0,    0,    0,    0,    0x50, 0x50,
    };
    size_t len;
    uint8_t *data = save_dev(&d, &len, NULL);

    g_assert_cmpmem(data, len, expect, sizeof(expect));
    post_load_calls = 0;
    g_assert(load_dev(data, len, &back, 2, &error_abort));
    g_assert_cmpint(post_load_calls, ==, 1);
    g_assert_cmpmem(&back, sizeof(back), &d, sizeof(d));
    g_free(data);
}

static void test_vmstate_optional_parts(void)
{
    Dev d = sample(), back;
    size_t len, full_len;
    uint8_t *data = save_dev(&d, &full_len, NULL);

    g_free(data);
    /* Neither the conditional field nor the subsection. */
    d.has_opt = false;
    d.want_sub = false;
    data = save_dev(&d, &len, NULL);
    g_assert_cmpuint(len, ==, full_len - 4 - 21);
    memset(&back, 0xee, sizeof(back));
    g_assert(load_dev(data, len, &back, 2, &error_abort));
    g_assert_cmpuint(back.opt, ==, 0xeeeeeeee);
    g_assert_cmpuint(back.sub_val, ==, 0xeeeeeeeeeeeeeeeeULL);
    g_assert_cmpuint(back.u64, ==, d.u64);
    g_free(data);
}

static void test_vmstate_versions(void)
{
    Dev d = sample(), back;
    Error *err = NULL;
    size_t len;
    uint8_t *data;

    /* A version 1 stream has no v2_only: drop those 4 bytes. */
    d.want_sub = false;
    data = save_dev(&d, &len, NULL);
    memmove(data + 34, data + 38, len - 38);
    memset(&back, 0, sizeof(back));
    back.v2_only = 0x77;
    g_assert(load_dev(data, len - 4, &back, 1, &error_abort));
    g_assert_cmpuint(back.v2_only, ==, 0x77);
    g_assert_cmpuint(back.has_opt, ==, 1);
    g_assert_cmpuint(back.opt, ==, 0x0b0b);

    g_assert(!load_dev(data, len, &back, 3, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "dev: version 3 in the stream "
                    "is newer than the supported 2");
    error_free(err);
    err = NULL;
    g_assert(!load_dev(data, len, &back, 0, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "dev: version 0 in the stream "
                    "is older than the oldest supported 1");
    error_free(err);
    g_free(data);
}

static void test_vmstate_subsection_errors(void)
{
    Dev d = sample(), back;
    Error *err = NULL;
    size_t len;
    uint8_t *data = save_dev(&d, &len, NULL);
    size_t sub = len - 21;

    g_assert_cmpint(data[sub], ==, 0x05);
    /* Unknown name under our prefix. */
    data[sub + 6] = 'x';
    g_assert(!load_dev(data, len, &back, 2, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "dev: unknown subsection 'dev/xub' in the stream");
    error_free(err);
    err = NULL;
    data[sub + 6] = 's';
    /* Too new a subsection version. */
    data[sub + 12] = 9;
    g_assert(!load_dev(data, len, &back, 2, &err));
    g_assert(strstr(error_get_pretty(err), "dev/sub: version 9"));
    error_free(err);
    err = NULL;
    data[sub + 12] = 1;
    /* A name that is not ours stops subsection parsing: the caller sees
     * the bytes left over (here the test's own check). */
    data[sub + 2] = 'z';
    {
        QEMUFile *f = qemu_file_new_mem_input(data, len);
        g_assert(vmstate_load(f, &vmstate_dev, &back, 2, &error_abort));
        g_assert_cmpint(qemu_peek_byte(f, 0), ==, 0x05);
        qemu_fclose(f);
    }
    g_free(data);
}

static void test_vmstate_hostile_counts(void)
{
    Dev d = sample(), back;
    Error *err = NULL;
    size_t len;
    uint8_t *data;
    /* Offsets of the counts in the wire format of sample(). */
    const size_t n_off = 49, nmacs_off = 59;

    d.want_sub = false;
    data = save_dev(&d, &len, NULL);
    g_assert_cmpint(data[n_off + 3], ==, 3);
    g_assert_cmpint(data[nmacs_off + 3], ==, 2);

    /* arr refuses a count above its 4 slots. */
    data[n_off + 3] = 5;
    memset(&back, 0, sizeof(back));
    g_assert(!load_dev(data, len, &back, 2, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "dev: field 'arr': 5 elements in the stream, at most 4 "
                    "fit");
    error_free(err);
    err = NULL;
    data[n_off] = 0xff;
    g_assert(!load_dev(data, len, &back, 2, &err));
    error_free(err);
    err = NULL;
    data[n_off] = 0;
    data[n_off + 3] = 3;

    /* macs skips an oversized table and leaves the count at 0; the
     * stream must then hold the skipped bytes. */
    {
        GByteArray *b = g_byte_array_new();
        uint8_t four_macs[24];
        memset(four_macs, 9, sizeof(four_macs));
        g_byte_array_append(b, data, nmacs_off);
        g_byte_array_append(b, (const uint8_t *)"\0\0\0\4", 4);
        g_byte_array_append(b, four_macs, sizeof(four_macs));
        g_byte_array_append(b, data + nmacs_off + 4 + 12,
                            len - nmacs_off - 4 - 12);
        memset(&back, 0, sizeof(back));
        g_assert(load_dev(b->data, b->len, &back, 2, &error_abort));
        g_assert_cmpuint(back.nmacs, ==, 0);
        g_assert_cmpuint(back.custom, ==, 0x5c);
        /* A huge count is skipped too, then the stream ends: an error. */
        b->data[nmacs_off] = 0x7f;
        g_assert(!load_dev(b->data, b->len, &back, 2, &err));
        g_assert(strstr(error_get_pretty(err), "field 'macs'"));
        error_free(err);
        g_byte_array_free(b, TRUE);
    }
    g_free(data);
}

static void test_vmstate_custom_error(void)
{
    Dev d = sample(), back;
    Error *err = NULL;
    size_t len;
    uint8_t *data = save_dev(&d, &len, NULL);

    data[len - 21 - 2] ^= 1; /* the check byte of custom */
    g_assert(!load_dev(data, len, &back, 2, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "dev: field 'custom': check byte 0xa2 does not match");
    error_free(err);
    g_free(data);
}

static void test_vmstate_truncated(void)
{
    Dev d = sample(), back;
    size_t len;
    uint8_t *data = save_dev(&d, &len, NULL);

    for (size_t cut = 0; cut < len; cut++) {
        Error *err = NULL;
        QEMUFile *f = qemu_file_new_mem_input(data, cut);
        bool ok = vmstate_load(f, &vmstate_dev, &back, 2, &err);

        qemu_fclose(f);
        if (ok) {
            /* Only a cut before the optional subsection's name is
             * complete loads (the section footer check of the whole
             * stream catches the rest). */
            g_assert_cmpuint(cut, >=, len - 21);
            g_assert_cmpuint(cut, <=, len - 21 + 8);
            continue;
        }
        g_assert(err);
        g_assert(strstr(error_get_pretty(err), "dev"));
        error_free(err);
    }
    g_free(data);
}

static void test_vmstate_vmdesc(void)
{
    Dev d = sample();
    json_t *desc = json_object();
    size_t len;
    uint8_t *data = save_dev(&d, &len, desc);
    json_t *fields = json_object_get(desc, "fields");
    json_t *f;
    char *text;

    g_assert_cmpstr(json_string_value(json_object_get(desc, "vmsd_name")), ==,
                    "dev");
    g_assert_cmpint(json_integer_value(json_object_get(desc, "version")), ==,
                    2);
    g_assert_cmpint(json_array_size(fields), ==, 18);
    f = json_array_get(fields, 0);
    text = json_dumps(f, JSON_COMPACT | JSON_PRESERVE_ORDER);
    g_assert_cmpstr(text, ==,
                    "{\"name\":\"u8\",\"type\":\"uint8\",\"size\":1}");
    free(text);
    f = json_array_get(fields, 7);
    g_assert_cmpstr(json_string_value(json_object_get(f, "type")), ==,
                    "buffer");
    g_assert_cmpint(json_integer_value(json_object_get(f, "size")), ==, 6);
    f = json_array_get(fields, 11);
    g_assert_cmpstr(json_string_value(json_object_get(f, "type")), ==,
                    "struct");
    g_assert_cmpint(json_integer_value(json_object_get(f, "size")), ==, 6);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(f, "struct"), "vmsd_name")),
                    ==, "inner");
    f = json_array_get(fields, 13);
    g_assert_cmpstr(json_string_value(json_object_get(f, "name")), ==, "arr");
    g_assert_cmpint(json_integer_value(json_object_get(f, "array_len")), ==, 3);
    g_assert_cmpint(json_integer_value(json_object_get(f, "size")), ==, 2);
    f = json_array_get(fields, 16);
    g_assert_cmpstr(json_string_value(json_object_get(f, "type")), ==,
                    "checked-byte");
    g_assert_cmpint(json_integer_value(json_object_get(f, "size")), ==, 2);
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_array_get(json_object_get(desc, "subsections"), 0),
                        "vmsd_name")),
                    ==, "dev/sub");
    json_decref(desc);
    g_free(data);
}

/* ---- whole stream ---- */

static Dev stream_dev;

static uint8_t *save_stream(size_t *len)
{
    QEMUFile *f = qemu_file_new_mem_output();
    const uint8_t *data;
    uint8_t *copy;

    g_assert(qemu_savevm_state(f, &error_abort));
    data = qemu_file_mem_data(f, len);
    copy = g_memdup2(data, *len);
    qemu_fclose(f);
    return copy;
}

static bool load_stream(const uint8_t *data, size_t len, Error **errp)
{
    QEMUFile *f = qemu_file_new_mem_input(data, len);
    bool ok = qemu_loadvm_state(f, errp);

    qemu_fclose(f);
    return ok;
}

static void test_stream(void)
{
    MemoryRegion *mr =
        memory_region_new_ram("test.ram", 5 * 4096, &error_abort);
    uint8_t *ram = memory_region_ram_ptr(mr);
    size_t len;
    uint8_t *data;
    const char *vmdesc;
    json_t *j;
    Error *err = NULL;

    ram_block_add(mr);
    g_assert(ram_mig_init(&error_abort));
    stream_dev = sample();
    g_assert(vmstate_register(NULL, "test-dev", 0, &vmstate_dev, &stream_dev,
                              &error_abort));
    g_assert(!vmstate_register(NULL, "test-dev", 0, &vmstate_dev, &stream_dev,
                               &err));
    error_free(err);
    err = NULL;
    memset(ram + 4096, 0xa5, 4096);
    ram[3 * 4096 + 100] = 7;

    data = save_stream(&len);
    g_assert_cmpmem(data, 8, "QEVM\0\0\0\3", 8);
    g_assert_cmpint(data[8], ==, QEMU_VM_CONFIGURATION);
    g_assert_cmpmem(data + 9, 8, "\0\0\0\4none", 8);
    g_assert_cmpint(data[17], ==, QEMU_VM_SECTION_START);
    /* After EOF: 0x06, be32 length, the JSON. */
    vmdesc = memchr(data, '{', len);
    while (vmdesc && vmdesc[-5] != QEMU_VM_VMDESCRIPTION) {
        vmdesc = memchr(vmdesc + 1, '{', len - (vmdesc + 1 - (char *)data));
    }
    g_assert(vmdesc);
    g_assert_cmpint(vmdesc[-6], ==, QEMU_VM_EOF);
    j = json_loadb(vmdesc, len - (vmdesc - (char *)data), 0, NULL);
    g_assert(j);
    g_assert_cmpint(json_integer_value(json_object_get(j, "page_size")), ==,
                    4096);
    g_assert_cmpstr(
        json_string_value(json_object_get(
            json_array_get(json_object_get(j, "devices"), 0), "name")),
        ==, "test-dev");
    g_assert_cmpstr(json_string_value(json_object_get(
                        json_object_get(j, "configuration"), "vmsd_name")),
                    ==, "configuration");
    json_decref(j);

    /* Load into cleared state. */
    memset(ram, 0x11, 5 * 4096);
    memset(&stream_dev, 0, sizeof(stream_dev));
    g_assert(load_stream(data, len, &error_abort));
    g_assert_cmpuint(stream_dev.u64, ==, sample().u64);
    g_assert_cmpuint(ram[0], ==, 0);
    g_assert_cmpuint(ram[4096 + 4095], ==, 0xa5);
    g_assert_cmpuint(ram[3 * 4096 + 100], ==, 7);
    g_assert_cmpuint(ram[3 * 4096 + 101], ==, 0);

    /* Truncated anywhere before EOF: a clear error, never a crash.  The
     * description after EOF is optional. */
    for (size_t cut = 0; cut < len; cut++) {
        bool ok = load_stream(data, cut, &err);
        if (ok) {
            g_assert_cmpuint(cut, >, (size_t)(vmdesc - (char *)data) - 6);
            continue;
        }
        g_assert(err);
        error_free(err);
        err = NULL;
    }

    /* Version and name checks. */
    data[7] = 2;
    g_assert(!load_stream(data, len, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "SaveVM v2 format is obsolete and don't work anymore");
    error_free(err);
    err = NULL;
    data[7] = 3;
    data[13] = 'N';
    g_assert(!load_stream(data, len, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Machine type received is 'None' and local is 'none'");
    error_free(err);
    err = NULL;
    data[13] = 'n';

    /* A different local RAM size. */
    ram_block_remove(mr);
    {
        MemoryRegion *small =
            memory_region_new_ram("test.ram", 4096, &error_abort);
        ram_block_add(small);
        g_assert(!load_stream(data, len, &err));
        g_assert(strstr(error_get_pretty(err),
                        "Length mismatch: test.ram: 0x5000 in != 0x1000"));
        error_free(err);
        err = NULL;
        ram_block_remove(small);
        memory_region_free(small);
    }
    ram_block_add(mr);
    /* No such device here. */
    savevm_unregister(&stream_dev);
    g_assert(!load_stream(data, len, &err));
    g_assert(strstr(error_get_pretty(err),
                    "Unknown savevm section or instance 'test-dev' 0"));
    error_free(err);
    ram_block_remove(mr);
    memory_region_free(mr);
    g_free(data);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/migration/file/round-trip", test_file_round_trip);
    g_test_add_func("/migration/file/fd", test_file_fd);
    g_test_add_func("/migration/vmstate/wire", test_vmstate_wire);
    g_test_add_func("/migration/vmstate/optional", test_vmstate_optional_parts);
    g_test_add_func("/migration/vmstate/versions", test_vmstate_versions);
    g_test_add_func("/migration/vmstate/subsection-errors",
                    test_vmstate_subsection_errors);
    g_test_add_func("/migration/vmstate/hostile-counts",
                    test_vmstate_hostile_counts);
    g_test_add_func("/migration/vmstate/custom-error",
                    test_vmstate_custom_error);
    g_test_add_func("/migration/vmstate/truncated", test_vmstate_truncated);
    g_test_add_func("/migration/vmstate/vmdesc", test_vmstate_vmdesc);
    g_test_add_func("/migration/stream", test_stream);
    return g_test_run();
}
