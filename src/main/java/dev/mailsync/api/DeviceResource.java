package dev.mailsync.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mailsync.api.DeviceDtos.DeviceInput;
import dev.mailsync.api.DeviceDtos.DeviceResponse;
import dev.mailsync.service.DeviceService;
import dev.mailsync.store.Device;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** {@code /v1/accounts/{accountId}/devices}: operations createDevice … deleteDevice of openapi.yaml. */
@Path("/v1/accounts/{accountId}/devices")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class DeviceResource {

    @Inject
    DeviceService devices;

    @Inject
    JsonBodies bodies;

    @Inject
    JsonWebToken jwt;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@PathParam("accountId") String accountId, String body, UriInfo uri)
            throws JsonProcessingException {
        Device created = devices.create(
                owner(), accountId, bodies.read(body, DeviceInput.class).toSettings());
        return Response.created(uri.getAbsolutePathBuilder().path(created.id()).build())
                .entity(DeviceResponse.of(created))
                .build();
    }

    @GET
    public PageResponse<DeviceResponse> list(
            @PathParam("accountId") String accountId,
            @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        return PageResponse.of(devices.list(owner(), accountId, cursor, Paging.limit(limit)), DeviceResponse::of);
    }

    @GET
    @Path("{deviceId}")
    public DeviceResponse get(@PathParam("accountId") String accountId, @PathParam("deviceId") String deviceId) {
        return DeviceResponse.of(devices.get(owner(), accountId, deviceId));
    }

    @PATCH
    @Path("{deviceId}")
    @Consumes({AccountResource.MERGE_PATCH, MediaType.APPLICATION_JSON})
    public DeviceResponse update(
            @PathParam("accountId") String accountId, @PathParam("deviceId") String deviceId, String body)
            throws JsonProcessingException {
        var patch = bodies.mergePatch(body, DeviceInput.class);
        return DeviceResponse.of(devices.update(
                owner(),
                accountId,
                deviceId,
                current -> patch.apply(DeviceInput.of(current)).toSettings()));
    }

    @DELETE
    @Path("{deviceId}")
    public Response delete(@PathParam("accountId") String accountId, @PathParam("deviceId") String deviceId) {
        devices.delete(owner(), accountId, deviceId);
        return Response.noContent().build();
    }

    private String owner() {
        return jwt.getSubject();
    }
}
