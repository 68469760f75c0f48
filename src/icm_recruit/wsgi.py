"""Entry point for a WSGI server: gunicorn 'icm_recruit.wsgi:app'.

Each server process builds the application once, then moves everything built so far
(modules, the application, its routes, forms and catalogs) out of reach of the cyclic
garbage collector: those objects live as long as the process, and the collector would
otherwise walk them again at every full collection, in the middle of some request.
"""

import gc

from icm_recruit import create_app

app = create_app()
gc.collect()
gc.freeze()
