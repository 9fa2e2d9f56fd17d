// SPDX-License-Identifier: GPL-2.0
/* Unit tests: JSON writer (escaping, nesting, numbers, histogram layout). */
#include <math.h>
#include "check.h"
#include "json.h"
#include "hist.h"

int main(void)
{
	char buf[4096];
	struct wb_json j;
	int rc = 0;

	memset(buf, 0, sizeof(buf));
	CAPTURE(buf, sizeof(buf), {
		wb_json_init(&j, out);
		wb_json_obj_begin(&j);
		wb_json_kv_str(&j, "s", "a\"b\\c\n\x01");
		wb_json_kv_int(&j, "i", -3);
		wb_json_kv_uint(&j, "u", 18446744073709551615ULL);
		wb_json_kv_double(&j, "d", 0.5);
		wb_json_kv_double(&j, "nan", NAN);
		wb_json_key(&j, "a");
		wb_json_arr_begin(&j);
		wb_json_int(&j, 1);
		wb_json_obj_begin(&j);
		wb_json_obj_end(&j);
		wb_json_arr_begin(&j);
		wb_json_arr_end(&j);
		wb_json_bool(&j, 1);
		wb_json_null(&j);
		wb_json_arr_end(&j);
		wb_json_obj_end(&j);
		rc = wb_json_finish(&j);
	});
	CHECK_STR(buf, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"i\":-3,\"u\":18446744073709551615,"
		       "\"d\":0.5,\"nan\":null,\"a\":[1,{},[],true,null]}\n");
	CHECK(rc == 0, "well-formed document finishes cleanly");

	/* Misuse is reported, not silently accepted. */
	memset(buf, 0, sizeof(buf));
	CAPTURE(buf, sizeof(buf), {
		wb_json_init(&j, out);
		wb_json_obj_begin(&j);
		wb_json_key(&j, "x");
		rc = wb_json_finish(&j);
	});
	CHECK(rc == -1, "unterminated object is an error");
	memset(buf, 0, sizeof(buf));
	CAPTURE(buf, sizeof(buf), {
		wb_json_init(&j, out);
		wb_json_arr_end(&j);
		rc = wb_json_finish(&j);
	});
	CHECK(rc == -1, "closing more than opened is an error");

	/* Histograms keep empty leading buckets so they merge slot by slot. */
	struct wb_hist h;

	memset(&h, 0, sizeof(h));
	wb_hist_add(&h, 5);
	memset(buf, 0, sizeof(buf));
	CAPTURE(buf, sizeof(buf), {
		wb_json_init(&j, out);
		wb_json_obj_begin(&j);
		wb_json_hist(&j, "lat", &h, "usecs");
		wb_json_obj_end(&j);
		rc = wb_json_finish(&j);
	});
	CHECK(rc == 0, "hist document ok");
	CHECK(strstr(buf, "\"lat\":{\"unit\":\"usecs\",\"type\":\"log2\",\"count\":1,\"sum\":5,") != NULL,
	      "hist header: %s", buf);
	CHECK(strstr(buf, "\"buckets\":[{\"lo\":0,\"hi\":1,\"count\":0},{\"lo\":2,\"hi\":3,\"count\":0},"
			  "{\"lo\":4,\"hi\":7,\"count\":1}]}}") != NULL, "hist buckets: %s", buf);

	/* Several documents in one stream: one per line. */
	memset(buf, 0, sizeof(buf));
	CAPTURE(buf, sizeof(buf), {
		wb_json_init(&j, out);
		for (int k = 0; k < 2; k++) {
			wb_json_obj_begin(&j);
			wb_json_kv_int(&j, "k", k);
			wb_json_obj_end(&j);
			wb_json_finish(&j);
		}
	});
	CHECK_STR(buf, "{\"k\":0}\n{\"k\":1}\n");

	return check_done("json");
}
