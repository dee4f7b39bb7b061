package dev.pylon.router;

import io.netty.handler.codec.http.HttpResponseStatus;

/** Why a request is answered by the router itself, never forwarded. */
record Rejection(HttpResponseStatus status, String reason) {}
