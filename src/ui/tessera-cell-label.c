/* tessera-cell-label.c: one line of text in a list cell, sized by its text
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The certificate list shows up to 200 rows of five cells at once, and GTK
 * 4.8 measures every one of them before the list's first frame. Neither of
 * GTK's text widgets is cheap there: a GtkInscription asks Pango for the
 * font's metrics on each measure, which shapes the language's sample text
 * anew in the widget's own context (a fifth of the list's first frame), and
 * an ellipsizing GtkLabel lays its text out again for each width it is
 * asked about. A cell needs less: one line, its natural width the text's,
 * no minimum width of its own (style.css gives the columns that can be cut
 * a floor in em), and an ellipsis only when the column is narrower than the
 * text (the columns that are never cut ask for their whole text). So the
 * text is laid out once when it changes, and again only when the cell is
 * allocated less than that. It draws like a label (CSS name
 * "label", so dim-label, monospace and the like apply) and is one for
 * accessibility. */

#include "config.h"

#include "tessera-cell-label.h"

struct _TesseraCellLabel
{
  GtkWidget    parent_instance;

  char        *text;
  gboolean     ellipsize;       /* may be narrower than its text */
  PangoLayout *layout;          /* made on first use */
  /* The whole text's size, for the context it was laid out in */
  guint        size_serial;     /* 0: not measured */
  int          width;
  int          height;
  int          baseline;
};

G_DEFINE_FINAL_TYPE (TesseraCellLabel, tessera_cell_label, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_ELLIPSIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static PangoLayout *
ensure_layout (TesseraCellLabel *self)
{
  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->text);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
    }
  return self->layout;
}

/* The size of the whole text on one line. Pango notices a change of its
 * context (font, scale) by the context's serial; so does this cache. */
static void
ensure_size (TesseraCellLabel *self)
{
  PangoLayout *layout = ensure_layout (self);
  guint serial = pango_context_get_serial (pango_layout_get_context (layout));

  if (self->size_serial == serial)
    return;
  pango_layout_set_width (layout, -1);
  pango_layout_get_pixel_size (layout, &self->width, &self->height);
  self->baseline = pango_layout_get_baseline (layout) / PANGO_SCALE;
  self->size_serial = serial;
}

static void
tessera_cell_label_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  TesseraCellLabel *self = TESSERA_CELL_LABEL (widget);

  ensure_size (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = self->ellipsize ? 0 : self->width;
      *natural = self->width;
    }
  else
    {
      *minimum = *natural = self->height;
      *minimum_baseline = *natural_baseline = self->baseline;
    }
}

static void
tessera_cell_label_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  TesseraCellLabel *self = TESSERA_CELL_LABEL (widget);
  PangoLayout *layout;
  int wanted;

  ensure_size (self);
  layout = ensure_layout (self);
  wanted = width < self->width ? width * PANGO_SCALE : -1;
  if (pango_layout_get_width (layout) != wanted)
    pango_layout_set_width (layout, wanted);
}

static void
tessera_cell_label_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  TesseraCellLabel *self = TESSERA_CELL_LABEL (widget);
  PangoLayout *layout;
  GdkRGBA color;
  int width, height, x;

  if (self->text == NULL || self->text[0] == '\0')
    return;
  layout = ensure_layout (self);
  pango_layout_get_pixel_size (layout, &width, &height);
  /* Start-aligned, vertically centred */
  x = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL ? gtk_widget_get_width (widget) - width : 0;
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, &color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
#endif
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, (gtk_widget_get_height (widget) - height) / 2));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
tessera_cell_label_finalize (GObject *object)
{
  TesseraCellLabel *self = (TesseraCellLabel *) object;

  g_clear_object (&self->layout);
  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (tessera_cell_label_parent_class)->finalize (object);
}

static void
tessera_cell_label_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TesseraCellLabel *self = TESSERA_CELL_LABEL (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case PROP_ELLIPSIZE:
      g_value_set_boolean (value, self->ellipsize);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_cell_label_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TesseraCellLabel *self = TESSERA_CELL_LABEL (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      tessera_cell_label_set_text (self, g_value_get_string (value));
      break;

    case PROP_ELLIPSIZE:
      self->ellipsize = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_cell_label_class_init (TesseraCellLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = tessera_cell_label_finalize;
  object_class->get_property = tessera_cell_label_get_property;
  object_class->set_property = tessera_cell_label_set_property;
  widget_class->measure = tessera_cell_label_measure;
  widget_class->size_allocate = tessera_cell_label_size_allocate;
  widget_class->snapshot = tessera_cell_label_snapshot;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Whether the cell may be narrower than its text, which then ends in an
   * ellipsis; otherwise its minimum width is the text's */
  properties[PROP_ELLIPSIZE] =
    g_param_spec_boolean ("ellipsize", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
tessera_cell_label_init (TesseraCellLabel *self)
{
}

/**
 * tessera_cell_label_new:
 * @ellipsize: whether the cell may be narrower than its text, which then
 *   ends in an ellipsis
 */
GtkWidget *
tessera_cell_label_new (gboolean ellipsize)
{
  return g_object_new (TESSERA_TYPE_CELL_LABEL, "ellipsize", ellipsize, NULL);
}

const char *
tessera_cell_label_get_text (TesseraCellLabel *self)
{
  g_return_val_if_fail (TESSERA_IS_CELL_LABEL (self), NULL);

  return self->text;
}

/**
 * tessera_cell_label_set_text:
 * @self: a #TesseraCellLabel
 * @text: (nullable): the text, shown on one line
 *
 * Does nothing when @text is what the cell shows already.
 */
void
tessera_cell_label_set_text (TesseraCellLabel *self,
                             const char       *text)
{
  g_return_if_fail (TESSERA_IS_CELL_LABEL (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;
  g_free (self->text);
  self->text = g_strdup (text);
  if (self->layout != NULL)
    pango_layout_set_text (self->layout, text != NULL ? text : "", -1);
  self->size_serial = 0;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}
