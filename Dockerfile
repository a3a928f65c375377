# idgate in a container: Debian bookworm slim, built from this checkout, run as a non-root user
# with its home in the volume /var/lib/idgate (made by `idgate-server init` on first start: the
# admin password is in the container's log, once). docs/guides/operations.md.
#   docker build -t idgate .
#   docker run -p 9443:9443 -v idgate:/var/lib/idgate -e IDGATE_ISSUER=http://localhost:9443 idgate
FROM debian:bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends g++ make cmake pkg-config \
      libpoco-dev libboost-dev libssl-dev libpq-dev libsqlite3-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build && cmake -S . -B build -DIDGATE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build -j"$(nproc)" \
    && DESTDIR=/stage cmake --install build --prefix /usr

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpocofoundation80 \
      libpocoutil80 libpoconet80 libpococrypto80 libpocojson80 libpocoxml80 libpocodata80 \
      libpocodatasqlite80 libpocodatapostgresql80 libpq5 libsqlite3-0 libssl3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/idgate --shell /usr/sbin/nologin idgate \
    && mkdir -p /var/lib/idgate && chown idgate:idgate /var/lib/idgate
COPY --from=build /stage/usr/bin/ /usr/bin/
COPY --from=build /stage/usr/lib/idgate/ /usr/lib/idgate/
COPY --from=build /stage/usr/share/idgate/ /usr/share/idgate/
COPY --from=build /stage/usr/share/doc/idgate/ /usr/share/doc/idgate/
COPY packaging/docker-entrypoint.sh /usr/bin/idgate-docker-entrypoint
USER idgate
VOLUME /var/lib/idgate
EXPOSE 9443
ENTRYPOINT ["/usr/bin/idgate-docker-entrypoint"]
