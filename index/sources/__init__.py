"""Following a newsroom's outlets: feeds, sitemaps and article pages fetched politely (``fetch.py``), their links
(``links.py``), each article read from its own page (``extract.py``), the sources and what each sync learnt
(``registry.py``), and one sync run (``sync.py``)."""
