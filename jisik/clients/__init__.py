"""The one typed client per jisik gRPC service, and the one gRPC-status <-> error mapping.

``types`` holds the transport-free values the clients take and return (``chat/`` and the stages use
only these); ``errors`` maps jisik errors to gRPC statuses on servers and back on clients;
``retriever``, ``model`` and ``docreader`` own every conversion between those values and protobuf;
``ServiceClients`` opens the channels once per process.
"""
