/* test_ladder_wrap.c — wrapping the explanations: display width with
 * CJK characters counted as two columns, breaks at spaces in English and
 * between characters in Chinese, never before closing punctuation. */
#include <string.h>

#include "check.h"
#include "text_wrap.h"

typedef struct lines {
    char text[16][128];
    int n;
} lines;

static void collect(void *ctx, const char *s, size_t len)
{
    lines *l = ctx;
    CHECK(l->n < 16 && len < 128);
    memcpy(l->text[l->n], s, len);
    l->text[l->n][len] = '\0';
    l->n++;
}

TEST(width_counts_cjk_as_two)
{
    CHECK_EQ(tw_width("abc", 3), 3);
    CHECK_EQ(tw_width("中文", strlen("中文")), 4);
    CHECK_EQ(tw_width("SYN，ACK", strlen("SYN，ACK")), 8);
    CHECK_EQ(tw_width("\xff", 1), 1);          /* invalid byte: one column */
}

TEST(english_breaks_at_spaces)
{
    lines l = {.n = 0};
    tw_wrap("the quick brown fox jumps over the lazy dog", 15, collect, &l);
    CHECK_EQ(l.n, 3);
    CHECK_STR(l.text[0], "the quick brown");
    CHECK_STR(l.text[1], "fox jumps over");
    CHECK_STR(l.text[2], "the lazy dog");
}

TEST(chinese_breaks_between_characters_not_before_punctuation)
{
    lines l = {.n = 0};
    /* 10 columns = 5 characters; "，" and "。" must stay on the line of
     * the character before them. */
    tw_wrap("客户端发送了报文，服务器确认。", 10, collect, &l);
    CHECK(l.n >= 3);
    char joined[256] = "";
    for (int i = 0; i < l.n; i++) {
        CHECK(tw_width(l.text[i], strlen(l.text[i])) <= 10);
        CHECK(strncmp(l.text[i], "，", strlen("，")) != 0);
        CHECK(strncmp(l.text[i], "。", strlen("。")) != 0);
        strcat(joined, l.text[i]);
    }
    CHECK_STR(joined, "客户端发送了报文，服务器确认。");
    CHECK_STR(l.text[0], "客户端发送");
}

TEST(paragraphs_and_overlong_words)
{
    lines l = {.n = 0};
    tw_wrap("abcdefghij\n\nxy", 4, collect, &l);
    CHECK_EQ(l.n, 5);
    CHECK_STR(l.text[0], "abcd");
    CHECK_STR(l.text[1], "efgh");
    CHECK_STR(l.text[2], "ij");
    CHECK_STR(l.text[3], "");
    CHECK_STR(l.text[4], "xy");
}

TEST_MAIN()
