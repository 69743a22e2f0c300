"""Demo and fixture generators: the bundled demo site, labelled accuracy sites, the local
server they are served from. Not used by a crawl."""
