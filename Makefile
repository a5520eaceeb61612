# glitchbox top-level Makefile.
#   make            build the simulator (build/glitchbox) and all firmware
#   make deps       install missing Debian packages (root) or print the apt-get line
#   make check      every test tier (unit, unit under ASan+UBSan, firmware, e2e)
#   make demo       the over-the-air update demo
#   make bench      speed and memory measurements
# Per-area rules live in mk/*.mk; sources are found by wildcard so adding a
# file needs no edit here.

BUILD ?= build
SAN ?=
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

CC := gcc
PKGS := libcjson check slirp glib-2.0 capstone libpcap
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPT ?= -O2
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wno-missing-field-initializers \
        -Wno-format-truncation
CFLAGS := -std=gnu11 $(OPT) -g $(WARN) -frounding-math -I. -D_GNU_SOURCE $(PKG_CFLAGS)
LDLIBS := $(PKG_LIBS) -lm
ifneq ($(SAN),)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

.PHONY: all deps check demo bench clean host firmware unit-tests
all: host firmware

LIB_SRCS := $(filter-out sim/main.c,$(wildcard sim/*.c sim/*/*.c models/*.c models/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libglitchbox.a

# The command-line front end is built once its entry point is in the tree.
host: $(if $(wildcard sim/main.c),$(BUILD)/glitchbox)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/glitchbox: $(BUILD)/obj/sim/main.o $(LIB)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests: every tests/*/test_*.c is one Check executable linked with the
# library and tests/support/*.c.
TEST_SRCS := $(wildcard tests/unit/test_*.c tests/models/test_*.c tests/cpu/test_*.c)
TEST_SUPPORT := $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.c=$(BUILD)/obj/%.o)
TEST_BINS := $(patsubst %.c,$(BUILD)/%,$(TEST_SRCS))

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

unit-tests: $(TEST_BINS)

include mk/deps.mk
-include $(sort $(filter-out mk/deps.mk,$(wildcard mk/*.mk)))
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

clean:
	rm -rf build build-asan

# Every tier registered by mk/*.mk (read after all of them are included).
check-run: $(CHECK_TIERS)
