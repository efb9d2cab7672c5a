"""Receipt printing: the core's `Receipt` document to ESC/POS, PNG and text, sent over a
transport chosen in configuration.

- `layout`, `document`: display-width columns (32 on 58 mm, 48 on 80 mm) and the one layout
  every renderer draws.
- `escpos_render`, `png_render`, `text_render`: the renderers.
- `transports`, `status`: network, serial, file/device, USB, CUPS, Win32Raw; DLE EOT status.
- `printers`, `queue`, `factory`: the `ReceiptPrinter` implementations, the reprint queue
  (files in the till home), and `make_printer(config, home)`.

Importing this package opens nothing and loads no font or printer database.
"""
