/* test-cell-label.c: the list's one-line cell against GtkLabel, the widget it stands in for
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>

#include "tessera-cell-label.h"

/* A TesseraCellLabel and a GtkLabel showing the same text in one window,
 * so that both get the same style */
typedef struct
{
  GtkWidget *window;
  GtkWidget *cell;
  GtkWidget *label;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  f->window = gtk_window_new ();
  f->cell = tessera_cell_label_new (GPOINTER_TO_INT (data));
  f->label = gtk_label_new (NULL);
  gtk_box_append (GTK_BOX (box), f->cell);
  gtk_box_append (GTK_BOX (box), f->label);
  gtk_window_set_child (GTK_WINDOW (f->window), box);
  gtk_window_present (GTK_WINDOW (f->window));
  /* Mapped, so that it draws */
  for (gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       !gtk_widget_get_mapped (f->cell) && g_get_monotonic_time () < end; )
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_get_mapped (f->cell));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
}

static void
set_both (Fixture    *f,
          const char *text)
{
  tessera_cell_label_set_text (TESSERA_CELL_LABEL (f->cell), text);
  gtk_label_set_text (GTK_LABEL (f->label), text);
}

static void
measure (GtkWidget      *widget,
         GtkOrientation  orientation,
         int            *minimum,
         int            *natural)
{
  gtk_widget_measure (widget, orientation, -1, minimum, natural, NULL, NULL);
}

/* Its natural size is the text's on one line, as a GtkLabel measures it
 * (give or take the pixel either rounds), and it follows the text. */
static void
test_size_follows_text (Fixture       *f,
                        gconstpointer  data)
{
  static const char * const texts[] = { "Laptop", "Never used", "Kept on this device", "Ωμέγα — 漢字", "" };
  int previous = -1;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      int cell_min, cell_nat, label_min, label_nat, cell_height, label_height, unused;

      set_both (f, texts[i]);
      measure (f->cell, GTK_ORIENTATION_HORIZONTAL, &cell_min, &cell_nat);
      measure (f->label, GTK_ORIENTATION_HORIZONTAL, &label_min, &label_nat);
      measure (f->cell, GTK_ORIENTATION_VERTICAL, &unused, &cell_height);
      measure (f->label, GTK_ORIENTATION_VERTICAL, &unused, &label_height);

      g_test_message ("\"%s\": cell %d, label %d wide; %d and %d high", texts[i], cell_nat, label_nat,
                      cell_height, label_height);
      g_assert_cmpint (ABS (cell_nat - label_nat), <=, 1);
      g_assert_cmpint (ABS (cell_height - label_height), <=, 1);
      g_assert_cmpint (cell_height, >, 0);
      if (texts[i][0] != '\0')
        g_assert_cmpint (cell_nat, >, 0);
      if (i == 1)
        g_assert_cmpint (cell_nat, >, previous);
      previous = cell_nat;
    }
}

/* An ellipsizing cell may get any width; the others ask for their text. */
static void
test_minimum_width (Fixture       *f,
                    gconstpointer  data)
{
  gboolean ellipsize = GPOINTER_TO_INT (data);
  int minimum, natural;

  set_both (f, "Expires in 3 weeks");
  measure (f->cell, GTK_ORIENTATION_HORIZONTAL, &minimum, &natural);
  g_assert_cmpint (natural, >, 0);
  if (ellipsize)
    g_assert_cmpint (minimum, ==, 0);
  else
    g_assert_cmpint (minimum, ==, natural);
}

/* Cut to less than its text, then measured again: the text's size still,
 * not the cut one. */
static void
test_cut_and_measured_again (Fixture       *f,
                             gconstpointer  data)
{
  int minimum, natural, again, height;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  set_both (f, "A name far too long for its column");
  measure (f->cell, GTK_ORIENTATION_HORIZONTAL, &minimum, &natural);
  measure (f->cell, GTK_ORIENTATION_VERTICAL, &minimum, &height);
  gtk_widget_size_allocate (f->cell, &(GtkAllocation) { 0, 0, natural / 3, height }, -1);
  gtk_widget_snapshot_child (gtk_widget_get_parent (f->cell), f->cell, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  measure (f->cell, GTK_ORIENTATION_HORIZONTAL, &minimum, &again);
  g_assert_cmpint (again, ==, natural);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* "text" is notified when it changes, not when the same text is set again
 * (a row rebound to an entry with the same name). */
static void
test_text_property (Fixture       *f,
                    gconstpointer  data)
{
  guint count = 0;
  g_autofree char *text = NULL;

  g_signal_connect (f->cell, "notify::text", G_CALLBACK (count_notify), &count);
  tessera_cell_label_set_text (TESSERA_CELL_LABEL (f->cell), "Phone");
  tessera_cell_label_set_text (TESSERA_CELL_LABEL (f->cell), "Phone");
  g_assert_cmpuint (count, ==, 1);
  g_object_get (f->cell, "text", &text, NULL);
  g_assert_cmpstr (text, ==, "Phone");
  tessera_cell_label_set_text (TESSERA_CELL_LABEL (f->cell), NULL);
  g_assert_cmpuint (count, ==, 2);
  g_assert_null (tessera_cell_label_get_text (TESSERA_CELL_LABEL (f->cell)));
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      g_test_skip ("no display: run under xvfb-run");
      return g_test_run ();
    }

  g_test_add ("/cell-label/size-follows-text", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_size_follows_text, fixture_teardown);
  g_test_add ("/cell-label/minimum-width/ellipsize", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_minimum_width, fixture_teardown);
  g_test_add ("/cell-label/minimum-width/whole", Fixture, GINT_TO_POINTER (FALSE), fixture_setup,
              test_minimum_width, fixture_teardown);
  g_test_add ("/cell-label/cut-and-measured-again", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_cut_and_measured_again, fixture_teardown);
  g_test_add ("/cell-label/text-property", Fixture, GINT_TO_POINTER (TRUE), fixture_setup,
              test_text_property, fixture_teardown);

  return g_test_run ();
}
