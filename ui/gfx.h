/*
 * Drawing for the UI: one SDL window and renderer, DejaVu fonts through
 * SDL2_ttf with a glyph cache, filled and anti-aliased shapes through
 * SDL_RenderGeometry, and PNG screenshots through libpng. Colours are
 * 0xRRGGBB (opaque) or, where an alpha is taken, 0xAARRGGBB.
 */
#ifndef UI_GFX_H
#define UI_GFX_H

#include <stdbool.h>
#include <stdint.h>
#include <SDL.h>
#include <SDL_ttf.h>

enum gfx_font_id { FONT_UI, FONT_UI_BOLD, FONT_SMALL, FONT_TINY, FONT_MONO, FONT_MONO_BIG,
                   FONT_TITLE, FONT_COUNT };

#define GFX_GLYPHS_EXTRA 96

typedef struct gfx_glyph {
    uint32_t cp;
    SDL_Texture *tex;
    int w, h, advance;
} gfx_glyph_t;

typedef struct gfx_font {
    TTF_Font *ttf;
    int height, ascent;
    gfx_glyph_t ascii[95];
    gfx_glyph_t extra[GFX_GLYPHS_EXTRA];
    unsigned nextra;
} gfx_font_t;

typedef struct gfx {
    SDL_Window *win;
    SDL_Renderer *r;
    gfx_font_t font[FONT_COUNT];
    int w, h;
    SDL_Rect clip;
    bool clipped;
} gfx_t;

/* Open the window (w x h, resizable down to min_w x min_h) and the fonts;
 * -1 with err. */
int gfx_open(gfx_t *g, const char *title, int w, int h, int min_w, int min_h, char *err,
             size_t errlen);
void gfx_close(gfx_t *g);

void gfx_clear(gfx_t *g, uint32_t rgb);
void gfx_present(gfx_t *g);
void gfx_clip(gfx_t *g, const SDL_Rect *r);   /* NULL: none */

void gfx_fill(gfx_t *g, int x, int y, int w, int h, uint32_t argb);
void gfx_rect(gfx_t *g, int x, int y, int w, int h, uint32_t argb);
void gfx_round(gfx_t *g, float x, float y, float w, float h, float radius, uint32_t argb);
void gfx_round_frame(gfx_t *g, float x, float y, float w, float h, float radius, float width,
                     uint32_t argb);
/* A filled circle with a soft (one pixel) edge. */
void gfx_disc(gfx_t *g, float cx, float cy, float r, uint32_t argb);
/* A radial glow: 'argb' at the centre fading to nothing at radius r. */
void gfx_glow(gfx_t *g, float cx, float cy, float r, uint32_t argb);
void gfx_line(gfx_t *g, float x0, float y0, float x1, float y1, float width, uint32_t argb);
void gfx_tri(gfx_t *g, float x0, float y0, float x1, float y1, float x2, float y2, uint32_t argb);
/* A cubic Bezier curve as a thick line. */
void gfx_curve(gfx_t *g, const float p[8], float width, uint32_t argb);
/* A vertical gradient. */
void gfx_vgrad(gfx_t *g, int x, int y, int w, int h, uint32_t top, uint32_t bottom);

/* UTF-8 text with its top-left at (x, y); returns the width drawn. Text
 * wider than max_w (if > 0) is cut with an ellipsis. */
int gfx_text(gfx_t *g, int font, int x, int y, uint32_t rgb, const char *s, int max_w);
int gfx_text_width(gfx_t *g, int font, const char *s);
int gfx_font_height(const gfx_t *g, int font);
/* Aligned: align 0 left, 1 centre, 2 right of x. */
int gfx_text_at(gfx_t *g, int font, int x, int y, int align, uint32_t rgb, const char *s);

/* The current frame's pixels (0xRRGGBB), read back from the renderer. */
uint32_t *gfx_read_pixels(gfx_t *g, int *w, int *h);
int gfx_write_png(const char *path, const uint32_t *px, int w, int h, char *err, size_t errlen);

#endif
