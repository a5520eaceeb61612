/* Drawing for the UI (see gfx.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>
#include "gfx.h"

#define FONT_DIR_DEFAULT "/usr/share/fonts/truetype/dejavu"

/* Rendered strings are kept as textures while they are drawn frame after
 * frame (labels, console lines) and dropped when they have not been for a
 * while. */
#define TEXT_CACHE 4096
#define TEXT_CACHE_KEEP_FRAMES 90

typedef struct text_entry {
    char *s;
    int font;
    uint64_t hash;
    SDL_Texture *tex;
    int w, h;
    uint64_t used;
} text_entry_t;

static text_entry_t text_cache[TEXT_CACHE];
static unsigned text_cached;
static uint64_t frame_no;

static const struct { const char *file; int pt; } font_specs[FONT_COUNT] = {
    [FONT_UI] = { "DejaVuSans.ttf", 13 },
    [FONT_UI_BOLD] = { "DejaVuSans-Bold.ttf", 13 },
    [FONT_SMALL] = { "DejaVuSans.ttf", 11 },
    [FONT_TINY] = { "DejaVuSans-Bold.ttf", 8 },
    [FONT_MONO] = { "DejaVuSansMono.ttf", 13 },
    [FONT_MONO_BIG] = { "DejaVuSansMono-Bold.ttf", 20 },
    [FONT_TITLE] = { "DejaVuSans-Bold.ttf", 17 },
};

static void set_color(gfx_t *g, uint32_t argb)
{
    uint8_t a = argb >> 24 ? (uint8_t)(argb >> 24) : 255;
    SDL_SetRenderDrawColor(g->r, (uint8_t)(argb >> 16), (uint8_t)(argb >> 8), (uint8_t)argb, a);
}

static SDL_Color vcolor(uint32_t argb, float alpha_scale)
{
    float a = (float)(argb >> 24 ? (argb >> 24) : 255) * alpha_scale;
    SDL_Color c = { (uint8_t)(argb >> 16), (uint8_t)(argb >> 8), (uint8_t)argb,
                    (uint8_t)(a < 0 ? 0 : a > 255 ? 255 : a) };
    return c;
}

int gfx_open(gfx_t *g, const char *title, int w, int h, int min_w, int min_h, char *err,
             size_t errlen)
{
    memset(g, 0, sizeof *g);
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS)) {
        snprintf(err, errlen, "cannot start SDL video: %s (no display? try "
                 "SDL_VIDEODRIVER=dummy for a headless run)", SDL_GetError());
        return -1;
    }
    if (TTF_Init()) {
        snprintf(err, errlen, "cannot start SDL_ttf: %s", TTF_GetError());
        SDL_Quit();
        return -1;
    }
    const char *dir = getenv("GLITCHBOX_FONT_DIR");
    if (!dir || !*dir)
        dir = FONT_DIR_DEFAULT;
    for (int f = 0; f < FONT_COUNT; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, font_specs[f].file);
        g->font[f].ttf = TTF_OpenFont(path, font_specs[f].pt);
        if (!g->font[f].ttf) {
            snprintf(err, errlen, "font %s: %s (Debian package fonts-dejavu-core, or set "
                     "GLITCHBOX_FONT_DIR)", path, TTF_GetError());
            gfx_close(g);
            return -1;
        }
        TTF_SetFontHinting(g->font[f].ttf, TTF_HINTING_LIGHT);
        g->font[f].height = TTF_FontHeight(g->font[f].ttf);
        g->font[f].ascent = TTF_FontAscent(g->font[f].ttf);
    }
    g->win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                              SDL_WINDOW_RESIZABLE);
    if (!g->win) {
        snprintf(err, errlen, "cannot open a window: %s", SDL_GetError());
        gfx_close(g);
        return -1;
    }
    SDL_SetWindowMinimumSize(g->win, min_w, min_h);
    g->r = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!g->r)
        g->r = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_SOFTWARE);
    if (!g->r) {
        snprintf(err, errlen, "cannot create a renderer: %s", SDL_GetError());
        gfx_close(g);
        return -1;
    }
    SDL_SetRenderDrawBlendMode(g->r, SDL_BLENDMODE_BLEND);
    SDL_GetRendererOutputSize(g->r, &g->w, &g->h);
    return 0;
}

void gfx_close(gfx_t *g)
{
    for (unsigned k = 0; k < TEXT_CACHE; k++) {
        if (text_cache[k].tex)
            SDL_DestroyTexture(text_cache[k].tex);
        free(text_cache[k].s);
    }
    memset(text_cache, 0, sizeof text_cache);
    text_cached = 0;
    for (int f = 0; f < FONT_COUNT; f++)
        if (g->font[f].ttf)
            TTF_CloseFont(g->font[f].ttf);
    if (g->r)
        SDL_DestroyRenderer(g->r);
    if (g->win)
        SDL_DestroyWindow(g->win);
    TTF_Quit();
    SDL_Quit();
    memset(g, 0, sizeof *g);
}

void gfx_clear(gfx_t *g, uint32_t rgb)
{
    SDL_GetRendererOutputSize(g->r, &g->w, &g->h);
    SDL_RenderSetClipRect(g->r, NULL);
    g->clipped = false;
    set_color(g, rgb);
    SDL_RenderClear(g->r);
}

static void cache_sweep(void)
{
    if (text_cached < TEXT_CACHE / 2)
        return;
    for (unsigned k = 0; k < TEXT_CACHE; k++) {
        text_entry_t *e = &text_cache[k];
        if (e->s && frame_no - e->used > TEXT_CACHE_KEEP_FRAMES) {
            SDL_DestroyTexture(e->tex);
            free(e->s);
            memset(e, 0, sizeof *e);
            text_cached--;
        }
    }
    /* open addressing: re-insert what is left so every entry is reachable */
    text_entry_t *old = malloc(sizeof text_cache);
    if (!old)
        return;
    memcpy(old, text_cache, sizeof text_cache);
    memset(text_cache, 0, sizeof text_cache);
    for (unsigned k = 0; k < TEXT_CACHE; k++) {
        if (!old[k].s)
            continue;
        unsigned slot = (unsigned)(old[k].hash % TEXT_CACHE);
        while (text_cache[slot].s)
            slot = (slot + 1) % TEXT_CACHE;
        text_cache[slot] = old[k];
    }
    free(old);
}

void gfx_present(gfx_t *g)
{
    SDL_RenderPresent(g->r);
    frame_no++;
    cache_sweep();
}

void gfx_clip(gfx_t *g, const SDL_Rect *r)
{
    SDL_RenderSetClipRect(g->r, r);
    g->clipped = r != NULL;
    if (r)
        g->clip = *r;
}

void gfx_fill(gfx_t *g, int x, int y, int w, int h, uint32_t argb)
{
    SDL_Rect r = { x, y, w, h };
    set_color(g, argb);
    SDL_RenderFillRect(g->r, &r);
}

void gfx_rect(gfx_t *g, int x, int y, int w, int h, uint32_t argb)
{
    SDL_Rect r = { x, y, w, h };
    set_color(g, argb);
    SDL_RenderDrawRect(g->r, &r);
}

/* ---------------------------------------------------------------------- */
/* shapes through geometry */

#define MAX_RING 256

/* Triangles for a centre vertex 0, an inner ring 1..n and an outer ring
 * n+1..2n: the fan of the inner ring and the strip between the two. */
static int fan_and_strip(int *idx, int n)
{
    int m = 0;
    for (int k = 0; k < n; k++) {
        int a = 1 + k, b = 1 + (k + 1) % n;
        idx[m++] = 0, idx[m++] = a, idx[m++] = b;
        idx[m++] = a, idx[m++] = b, idx[m++] = a + n;
        idx[m++] = b, idx[m++] = b + n, idx[m++] = a + n;
    }
    return m;
}

static void fan_and_feather(gfx_t *g, float cx, float cy, const float *inner, const float *outer,
                            int n, uint32_t argb)
{
    SDL_Vertex v[2 * MAX_RING + 1];
    int idx[MAX_RING * 9];
    SDL_Color c = vcolor(argb, 1), c0 = vcolor(argb, 0);
    v[0].position.x = cx;
    v[0].position.y = cy;
    v[0].color = c;
    for (int k = 0; k < n; k++) {
        v[1 + k].position.x = inner[2 * k];
        v[1 + k].position.y = inner[2 * k + 1];
        v[1 + k].color = c;
        v[1 + n + k].position.x = outer[2 * k];
        v[1 + n + k].position.y = outer[2 * k + 1];
        v[1 + n + k].color = c0;
    }
    SDL_RenderGeometry(g->r, NULL, v, 1 + 2 * n, idx, fan_and_strip(idx, n));
}

static int arc_points(float *out, float cx, float cy, float r, float a0, float a1, int steps)
{
    for (int k = 0; k <= steps; k++) {
        float a = a0 + (a1 - a0) * (float)k / (float)steps;
        out[2 * k] = cx + r * cosf(a);
        out[2 * k + 1] = cy + r * sinf(a);
    }
    return steps + 1;
}

static int round_ring(float *out, float x, float y, float w, float h, float rad, float grow)
{
    const float pi = 3.14159265f;
    int steps = rad > 8 ? 8 : rad > 3 ? 5 : 2;
    float r = rad + grow;
    if (r < 0.01f)
        r = 0.01f;
    int n = 0;
    n += arc_points(out + 2 * n, x + w - rad, y + rad, r, -pi / 2, 0, steps);
    n += arc_points(out + 2 * n, x + w - rad, y + h - rad, r, 0, pi / 2, steps);
    n += arc_points(out + 2 * n, x + rad, y + h - rad, r, pi / 2, pi, steps);
    n += arc_points(out + 2 * n, x + rad, y + rad, r, pi, 1.5f * pi, steps);
    return n;
}

/* A corner radius that fits the box. */
static float corner(float radius, float w, float h)
{
    if (radius > w / 2)
        radius = w / 2;
    if (radius > h / 2)
        radius = h / 2;
    return radius < 0.5f ? 0.5f : radius;
}

void gfx_round(gfx_t *g, float x, float y, float w, float h, float radius, uint32_t argb)
{
    radius = corner(radius, w, h);
    float in[2 * MAX_RING], out[2 * MAX_RING];
    int n = round_ring(in, x, y, w, h, radius, -0.5f);
    round_ring(out, x, y, w, h, radius, 0.5f);
    fan_and_feather(g, x + w / 2, y + h / 2, in, out, n, argb);
}

void gfx_round_frame(gfx_t *g, float x, float y, float w, float h, float radius, float width,
                     uint32_t argb)
{
    radius = corner(radius, w, h);
    float a[2 * MAX_RING], b[2 * MAX_RING];
    int n = round_ring(a, x, y, w, h, radius, 0);
    round_ring(b, x, y, w, h, radius, -width);
    SDL_Vertex v[2 * MAX_RING];
    int idx[MAX_RING * 6];
    SDL_Color c = vcolor(argb, 1);
    for (int k = 0; k < n; k++) {
        v[k].position.x = a[2 * k], v[k].position.y = a[2 * k + 1], v[k].color = c;
        v[n + k].position.x = b[2 * k], v[n + k].position.y = b[2 * k + 1], v[n + k].color = c;
    }
    int m = 0;
    for (int k = 0; k < n; k++) {
        int p = k, q = (k + 1) % n;
        idx[m++] = p, idx[m++] = q, idx[m++] = p + n;
        idx[m++] = q, idx[m++] = q + n, idx[m++] = p + n;
    }
    SDL_RenderGeometry(g->r, NULL, v, 2 * n, idx, m);
}

static int circle_steps(float r)
{
    int n = (int)(r * 1.2f) + 12;
    return n > MAX_RING - 1 ? MAX_RING - 1 : n;
}

void gfx_disc(gfx_t *g, float cx, float cy, float r, uint32_t argb)
{
    const float pi = 3.14159265f;
    int n = circle_steps(r);
    float in[2 * MAX_RING], out[2 * MAX_RING];
    float ri = r - 0.5f > 0 ? r - 0.5f : 0.01f;
    for (int k = 0; k < n; k++) {
        float a = 2 * pi * (float)k / (float)n;
        in[2 * k] = cx + ri * cosf(a), in[2 * k + 1] = cy + ri * sinf(a);
        out[2 * k] = cx + (r + 0.5f) * cosf(a), out[2 * k + 1] = cy + (r + 0.5f) * sinf(a);
    }
    fan_and_feather(g, cx, cy, in, out, n, argb);
}

void gfx_glow(gfx_t *g, float cx, float cy, float r, uint32_t argb)
{
    const float pi = 3.14159265f;
    int n = circle_steps(r);
    SDL_Vertex v[2 * MAX_RING + 1];
    int idx[MAX_RING * 9];
    v[0].position.x = cx, v[0].position.y = cy, v[0].color = vcolor(argb, 1);
    for (int k = 0; k < n; k++) {
        float a = 2 * pi * (float)k / (float)n;
        v[1 + k].position.x = cx + 0.4f * r * cosf(a);
        v[1 + k].position.y = cy + 0.4f * r * sinf(a);
        v[1 + k].color = vcolor(argb, 0.35f);
        v[1 + n + k].position.x = cx + r * cosf(a);
        v[1 + n + k].position.y = cy + r * sinf(a);
        v[1 + n + k].color = vcolor(argb, 0);
    }
    SDL_RenderGeometry(g->r, NULL, v, 1 + 2 * n, idx, fan_and_strip(idx, n));
}

void gfx_line(gfx_t *g, float x0, float y0, float x1, float y1, float width, uint32_t argb)
{
    float dx = x1 - x0, dy = y1 - y0;
    float len = sqrtf(dx * dx + dy * dy);
    if (len < 0.01f)
        return;
    float nx = -dy / len, ny = dx / len;
    float hw = width / 2 - 0.5f > 0 ? width / 2 - 0.5f : 0.01f, fw = hw + 1.0f;
    SDL_Color c = vcolor(argb, width < 1 ? width : 1), c0 = vcolor(argb, 0);
    SDL_Vertex v[8];
    float o[4] = { fw, hw, -hw, -fw };
    for (int k = 0; k < 4; k++) {
        v[k].position.x = x0 + nx * o[k], v[k].position.y = y0 + ny * o[k];
        v[4 + k].position.x = x1 + nx * o[k], v[4 + k].position.y = y1 + ny * o[k];
        v[k].color = v[4 + k].color = (k == 0 || k == 3) ? c0 : c;
    }
    int idx[18], m = 0;
    for (int k = 0; k < 3; k++) {
        idx[m++] = k, idx[m++] = k + 1, idx[m++] = 4 + k;
        idx[m++] = k + 1, idx[m++] = 5 + k, idx[m++] = 4 + k;
    }
    SDL_RenderGeometry(g->r, NULL, v, 8, idx, m);
}

void gfx_tri(gfx_t *g, float x0, float y0, float x1, float y1, float x2, float y2, uint32_t argb)
{
    SDL_Color c = vcolor(argb, 1);
    SDL_Vertex v[3] = { { { x0, y0 }, c, { 0, 0 } }, { { x1, y1 }, c, { 0, 0 } },
                        { { x2, y2 }, c, { 0, 0 } } };
    SDL_RenderGeometry(g->r, NULL, v, 3, NULL, 0);
}

void gfx_curve(gfx_t *g, const float p[8], float width, uint32_t argb)
{
    enum { STEPS = 28 };
    float px = p[0], py = p[1];
    for (int k = 1; k <= STEPS; k++) {
        float t = (float)k / STEPS, u = 1 - t;
        float x = u * u * u * p[0] + 3 * u * u * t * p[2] + 3 * u * t * t * p[4] + t * t * t * p[6];
        float y = u * u * u * p[1] + 3 * u * u * t * p[3] + 3 * u * t * t * p[5] + t * t * t * p[7];
        gfx_line(g, px, py, x, y, width, argb);
        if (width >= 2.5f && k < STEPS)
            gfx_disc(g, x, y, width / 2 - 0.3f, argb);
        px = x, py = y;
    }
}

void gfx_vgrad(gfx_t *g, int x, int y, int w, int h, uint32_t top, uint32_t bottom)
{
    SDL_Color a = vcolor(top, 1), b = vcolor(bottom, 1);
    SDL_Vertex v[4] = { { { (float)x, (float)y }, a, { 0, 0 } },
                        { { (float)(x + w), (float)y }, a, { 0, 0 } },
                        { { (float)(x + w), (float)(y + h) }, b, { 0, 0 } },
                        { { (float)x, (float)(y + h) }, b, { 0, 0 } } };
    int idx[6] = { 0, 1, 2, 0, 2, 3 };
    SDL_RenderGeometry(g->r, NULL, v, 4, idx, 6);
}

/* ---------------------------------------------------------------------- */
/* text */

static uint64_t hash_text(int font, const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)font;
    for (size_t k = 0; k < n; k++)
        h = (h ^ (uint8_t)s[k]) * 1099511628211ull;
    return h;
}

static text_entry_t *text_get(gfx_t *g, int font, const char *s, size_t n)
{
    uint64_t h = hash_text(font, s, n);
    unsigned slot = (unsigned)(h % TEXT_CACHE);
    for (unsigned probe = 0; probe < TEXT_CACHE; probe++, slot = (slot + 1) % TEXT_CACHE) {
        text_entry_t *e = &text_cache[slot];
        if (!e->s)
            break;
        if (e->hash == h && e->font == font && !strncmp(e->s, s, n) && !e->s[n]) {
            e->used = frame_no;
            return e;
        }
    }
    if (text_cached >= TEXT_CACHE - 16)
        return NULL; /* full until the next sweep */
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = 0;
    SDL_Color white = { 255, 255, 255, 255 };
    SDL_Surface *surf = TTF_RenderUTF8_Blended(g->font[font].ttf, copy, white);
    if (!surf) {
        free(copy);
        return NULL;
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(g->r, surf);
    int w = surf->w, hgt = surf->h;
    SDL_FreeSurface(surf);
    if (!tex) {
        free(copy);
        return NULL;
    }
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    text_entry_t *e = &text_cache[slot];
    e->s = copy;
    e->font = font;
    e->hash = h;
    e->tex = tex;
    e->w = w;
    e->h = hgt;
    e->used = frame_no;
    text_cached++;
    return e;
}

int gfx_text_width(gfx_t *g, int font, const char *s)
{
    int w = 0, h = 0;
    if (!*s || TTF_SizeUTF8(g->font[font].ttf, s, &w, &h))
        return 0;
    return w;
}

int gfx_font_height(const gfx_t *g, int font) { return g->font[font].height; }

static int draw_run(gfx_t *g, int font, int x, int y, uint32_t rgb, const char *s, size_t n)
{
    if (!n)
        return 0;
    text_entry_t *e = text_get(g, font, s, n);
    if (!e)
        return 0;
    SDL_SetTextureColorMod(e->tex, (uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb);
    SDL_Rect dst = { x, y, e->w, e->h };
    SDL_RenderCopy(g->r, e->tex, NULL, &dst);
    return e->w;
}

int gfx_text(gfx_t *g, int font, int x, int y, uint32_t rgb, const char *s, int max_w)
{
    size_t n = strlen(s);
    if (max_w <= 0 || gfx_text_width(g, font, s) <= max_w)
        return draw_run(g, font, x, y, rgb, s, n);
    /* the longest prefix (cut on a UTF-8 boundary) that fits with the ellipsis */
    static const char ell[] = "\xe2\x80\xa6";
    char buf[512];
    int ew = gfx_text_width(g, font, ell);
    size_t lo = 0, hi = n < sizeof buf - 4 ? n : sizeof buf - 4;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2, cut = mid;
        while (cut > 0 && ((uint8_t)s[cut] & 0xC0) == 0x80)
            cut--;
        memcpy(buf, s, cut);
        buf[cut] = 0;
        if (gfx_text_width(g, font, buf) + ew <= max_w)
            lo = mid;
        else
            hi = mid - 1;
    }
    while (lo > 0 && ((uint8_t)s[lo] & 0xC0) == 0x80)
        lo--;
    while (lo > 0 && s[lo - 1] == ' ')
        lo--;
    memcpy(buf, s, lo);
    memcpy(buf + lo, ell, sizeof ell);
    return draw_run(g, font, x, y, rgb, buf, strlen(buf));
}

int gfx_text_at(gfx_t *g, int font, int x, int y, int align, uint32_t rgb, const char *s)
{
    int w = gfx_text_width(g, font, s);
    int x0 = align == 1 ? x - w / 2 : align == 2 ? x - w : x;
    draw_run(g, font, x0, y, rgb, s, strlen(s));
    return w;
}

/* ---------------------------------------------------------------------- */
/* pixels */

uint32_t *gfx_read_pixels(gfx_t *g, int *w, int *h)
{
    SDL_GetRendererOutputSize(g->r, w, h);
    uint32_t *px = malloc((size_t)*w * (size_t)*h * 4);
    if (!px)
        return NULL;
    SDL_RenderSetClipRect(g->r, NULL);
    if (SDL_RenderReadPixels(g->r, NULL, SDL_PIXELFORMAT_ARGB8888, px, *w * 4)) {
        free(px);
        return NULL;
    }
    for (size_t k = 0; k < (size_t)*w * (size_t)*h; k++)
        px[k] &= 0xFFFFFF;
    if (g->clipped)
        SDL_RenderSetClipRect(g->r, &g->clip);
    return px;
}

int gfx_write_png(const char *path, const uint32_t *px, int w, int h, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot create", path);
        return -1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *row = malloc((size_t)w * 3);
    if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(f);
        snprintf(err, errlen, "%s: cannot write the PNG", path);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t p = px[(size_t)y * (size_t)w + (size_t)x];
            row[3 * x] = (uint8_t)(p >> 16);
            row[3 * x + 1] = (uint8_t)(p >> 8);
            row[3 * x + 2] = (uint8_t)p;
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    if (fclose(f)) {
        snprintf(err, errlen, "%s: cannot write", path);
        return -1;
    }
    return 0;
}
