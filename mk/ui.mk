# The SDL2 front end, build/glitchbox-ui, built once its entry point
# (ui/main.c) is in the tree, and its test tier.
#   ui-check   the scene model's unit tests run with the other unit tests
#              (tests/ui/test_*.c); this tier runs the UI headless on the
#              reference firmware with scripted clicks and checks what it
#              drew, what it recorded and that the recording replays.
DEB_PKGS += libsdl2-ttf-dev fonts-dejavu-core libpng-dev

UI_PKGS := sdl2 SDL2_ttf libpng
UI_CFLAGS = $(shell pkg-config --cflags $(UI_PKGS) 2>/dev/null)
UI_LIBS = $(shell pkg-config --libs $(UI_PKGS) 2>/dev/null)
UI_SRCS := $(wildcard ui/*.c)
UI_OBJS := $(UI_SRCS:%.c=$(BUILD)/obj/%.o)
# the parts without SDL, which the unit tests link
UI_CORE_OBJS := $(BUILD)/obj/ui/scene.o $(BUILD)/obj/ui/script.o
UI_BIN := $(BUILD)/glitchbox-ui

host: $(if $(wildcard ui/main.c),$(UI_BIN))

$(BUILD)/obj/ui/%.o: ui/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(UI_CFLAGS) -MMD -MP -c $< -o $@

$(UI_BIN): $(UI_OBJS) $(LIB)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(UI_LIBS) $(LDLIBS)

UI_TEST_BINS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/ui/test_*.c))
TEST_BINS += $(UI_TEST_BINS)
unit-tests: $(UI_TEST_BINS)
unit-check: $(UI_TEST_BINS)

$(BUILD)/tests/ui/%: $(BUILD)/obj/tests/ui/%.o $(UI_CORE_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

CHECK_TIERS += ui-check
.PHONY: ui-check
ui-check: host fw-ref
	$(Q)./tests/ui/run-ui-tests.sh $(BUILD)/glitchbox $(UI_BIN)

# The README's screenshot of the main window.
.PHONY: ui-screenshot
ui-screenshot: host fw-ref
	$(Q)$(UI_BIN) --headless --speed max --max-time 60s --board stm32f407-enc28j60 \
	  --firmware $(FW_REF)/factory-flash.bin@0x08000000 --serve $(FW_REF)/server \
	  --script ui/screenshot.txt
